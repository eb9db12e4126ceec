import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import type { Survey } from '../../../../core/surveys/queries.ts';
import { api, type Wire } from '../api.ts';
import type { Column, ListElement } from '../list/list.component.ts';
import { shared } from '../shared.styles.ts';
import { when } from '../states.ts';

/** The survey being edited (undefined: a new one), and which opening of the builder this is: each starts from the saved survey. */
type Open = { survey: Wire<Survey> | undefined; opening: number };

/**
 * The Surveys section: the surveys and the builder for a new or chosen one, the distributions with
 * their recipients, the answers, and importing an NPS history from an upload.
 *
 * @summary Surveys, distributions, answers and history imports.
 */
export class SurveysElement extends LitElement {
  static override styles = shared;

  static override properties = { open: { state: true }, surveys: { state: true } };

  declare open: Open | undefined;
  declare surveys: Wire<Survey>[];

  constructor() {
    super();
    this.surveys = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#readSurveys();
  }

  async #readSurveys(): Promise<void> {
    // For the answers' filter; the list reads its own, and shows an error there.
    this.surveys = (await api<{ items: Wire<Survey>[] }>('/api/surveys').catch(() => ({ items: [] }))).items;
  }

  #openings = 0;

  async #show(survey: Wire<Survey> | undefined): Promise<void> {
    this.open = { survey, opening: ++this.#openings };
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#builder-title')?.focus();
  }

  #onSaved(event: CustomEvent<{ survey: Wire<Survey> }>): void {
    this.open = { ...this.open!, survey: event.detail.survey };
    this.renderRoot.querySelector<ListElement>('bw-list')?.reload();
    void this.#readSurveys();
  }

  override render(): TemplateResult {
    const columns: Column<Wire<Survey>>[] = [
      { label: 'Name', cell: (s) => s.name },
      { label: 'Title', cell: (s) => s.title },
      { label: 'Extra scales', cell: (s) => String(s.extraQuestions.length) },
      { label: 'Updated', cell: (s) => when(s.updatedAt) },
      { label: 'Actions', cell: (s) => html`<button type="button" aria-label="Edit ${s.name}" @click=${() => this.#show(s)}>Edit</button>` },
    ];
    const open = this.open;
    return html`
      <bw-list source="/api/surveys" label="Surveys" noun="surveys" .columns=${columns}></bw-list>
      <p><button type="button" class="primary" @click=${() => this.#show(undefined)}>New survey</button></p>
      ${open
        ? html`<section aria-labelledby="builder-title">
            <h2 id="builder-title" tabindex="-1">${open.survey ? `Edit “${open.survey.name}”` : 'New survey'}</h2>
            ${keyed(open.opening, html`<bw-survey-builder .survey=${open.survey} @saved=${this.#onSaved}></bw-survey-builder>`)}
          </section>`
        : nothing}
      <bw-distribute></bw-distribute>
      <section aria-labelledby="distributions-title"><h2 id="distributions-title">Distributions</h2><bw-distributions></bw-distributions></section>
      <section aria-labelledby="answers-title"><h2 id="answers-title">Answers</h2><bw-answers .surveys=${this.surveys}></bw-answers></section>
      <section aria-labelledby="import-title"><h2 id="import-title">Import an NPS history</h2><bw-history-import></bw-history-import></section>
    `;
  }
}
