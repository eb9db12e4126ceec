import { LitElement, html, type TemplateResult } from 'lit';
import type { Answer } from '../../../../core/surveys/answers.ts';
import type { Survey } from '../../../../core/surveys/queries.ts';
import type { Wire } from '../api.ts';
import { currentDirectory } from '../directory-scope.ts';
import type { Column } from '../list/list.component.ts';
import { shared } from '../shared.styles.ts';
import { when } from '../states.ts';

type Filter = { survey: string; minScore: string; maxScore: string; from: string; to: string };

/**
 * The directory's answers (GET /api/responses), filtered by survey (or the imported histories),
 * score range and day range, newest first, and the same selection as CSV (GET /api/responses.csv).
 *
 * @summary Answers with filters and a CSV download.
 * @prop surveys - The surveys to filter by.
 */
export class AnswersElement extends LitElement {
  static override styles = shared;

  static override properties = { surveys: { attribute: false }, filter: { state: true } };

  declare surveys: Wire<Survey>[];
  declare filter: Filter;

  constructor() {
    super();
    this.surveys = [];
    this.filter = { survey: '', minScore: '0', maxScore: '10', from: '', to: '' };
  }

  #apply(event: SubmitEvent): void {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    this.filter = Object.fromEntries(['survey', 'minScore', 'maxScore', 'from', 'to'].map((k) => [k, String(form.get(k) ?? '')])) as Filter;
  }

  #query(): string {
    const f = this.filter;
    const query = new URLSearchParams({ directory: currentDirectory() ?? '1', minScore: f.minScore || '0', maxScore: f.maxScore || '10' });
    if (f.survey) query.set('survey', f.survey);
    if (f.from) query.set('from', f.from);
    if (f.to) query.set('to', f.to);
    return query.toString();
  }

  override render(): TemplateResult {
    const names = new Map(this.surveys.map((s) => [s.id, s.name]));
    const columns: Column<Wire<Answer>>[] = [
      { label: 'Answered', cell: (a) => when(a.respondedAt) },
      { label: 'Survey', cell: (a) => (a.surveyId === null ? 'imported' : (names.get(a.surveyId) ?? String(a.surveyId))) },
      { label: 'Contact', cell: (a) => a.contactExternalId ?? 'anonymous' },
      { label: 'Account', cell: (a) => a.accountExternalId ?? '' },
      { label: 'Score', cell: (a) => String(a.score) },
      { label: 'Other answers', cell: (a) => Object.entries(a.answers).map(([k, v]) => `${k}: ${v}`).join(', ') },
      { label: 'Comment', cell: (a) => a.comment ?? '' },
    ];
    const f = this.filter;
    const query = this.#query();
    return html`
      <form class="inline" aria-label="Filter the answers" @submit=${this.#apply}>
        <label>Survey <select name="survey">
          <option value="" ?selected=${f.survey === ''}>Every survey and history</option>
          <option value="imported" ?selected=${f.survey === 'imported'}>Imported histories</option>
          ${this.surveys.map((s) => html`<option value=${s.id} ?selected=${String(s.id) === f.survey}>${s.name}</option>`)}
        </select></label>
        <label>Score from <input type="number" name="minScore" min="0" max="10" .value=${f.minScore} /></label>
        <label>Score to <input type="number" name="maxScore" min="0" max="10" .value=${f.maxScore} /></label>
        <label>Answered from <input type="date" name="from" .value=${f.from} /></label>
        <label>Answered to <input type="date" name="to" .value=${f.to} /></label>
        <button type="submit">Filter</button>
        <a href="/api/responses.csv?${query}" download="answers.csv">Download these answers as CSV</a>
      </form>
      <bw-list source="/api/responses?${query}" label="Answers, newest first" noun="answers" paged .columns=${columns}></bw-list>
    `;
  }
}
