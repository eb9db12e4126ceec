import { LitElement, html, nothing, type TemplateResult } from 'lit';
import type { ExtraQuestion, Survey, SurveyInput } from '../../../../core/surveys/queries.ts';
import type { Translation } from '../../../../core/surveys/languages.ts';
import { languageCodeMessage, languageCodePattern, languageName } from '../../../../core/surveys/language-codes.ts';
import { api, type Wire } from '../api.ts';
import { designer } from '../designer.styles.ts';
import { shared } from '../shared.styles.ts';
import { failure } from '../states.ts';
import { fieldError, fieldErrors } from '../field-errors.ts';
import { translationToSave } from './translation-texts.ts';

/** A survey as the form holds it: what a save sends. */
export type SurveyDraft = Required<Omit<SurveyInput, 'extraQuestions'>> & { extraQuestions: ExtraQuestion[] };

const maxScales = 10;
const previewDelayMs = 300;

function newSurvey(): SurveyDraft {
  return {
    name: '', title: 'Your feedback', question: 'How likely are you to recommend us to a friend or colleague?',
    commentQuestion: 'What is the main reason for your score?', extraQuestions: [], thankYou: 'Thank you for your answer.', brandColor: null, logoUrl: null,
    language: 'en', languageAttribute: null, scaleLabels: {}, emails: {}, translations: {}, linkExpiryDays: 30,
  };
}

function draftOfSurvey(survey: Wire<Survey>): SurveyDraft {
  const { id: _id, createdAt: _c, updatedAt: _u, ...draft } = survey;
  return draft;
}

/** What the API takes: empty end labels are no labels and empty translated texts are left out (it refuses empty text). */
function bodyOf(draft: SurveyDraft): SurveyDraft {
  return {
    ...draft,
    extraQuestions: draft.extraQuestions.map(({ minLabel, maxLabel, ...q }) => ({ ...q, ...(minLabel ? { minLabel } : {}), ...(maxLabel ? { maxLabel } : {}) })),
    translations: Object.fromEntries(Object.entries(draft.translations).map(([lang, t]) => [lang, translationToSave(t, draft)])),
  };
}

/** What the preview frame's address holds: no emails, which the page does not show and which would make the address long. */
function previewOf(draft: SurveyDraft): SurveyDraft {
  const body = bodyOf(draft);
  return {
    ...body,
    name: draft.name.trim() || 'Preview',
    emails: {},
    translations: Object.fromEntries(Object.entries(body.translations).map(([lang, { emails: _emails, ...t }]) => [lang, t])),
  };
}

/** "Deutsch (de)". */
function named(lang: string): string {
  return `${languageName(lang)} (${lang})`;
}

/** WCAG's contrast ratio of white text on `hex` (https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio). */
function contrastWithWhite(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 1.05 / (0.2126 * r! + 0.7152 * g! + 0.0722 * b! + 0.05);
}

/**
 * A survey as a form: the NPS question, an optional comment box, up to ten extra scales with their
 * end labels, the thank-you text, a brand colour and a logo, its languages with the texts of each
 * one beyond the default, and the public survey page beside it as the server renders it for the
 * texts not saved yet, in the language being edited (GET /api/surveys/preview?lang= into a
 * sandboxed frame: nothing runs there and nothing can be sent). Save creates (POST /api/surveys) or
 * replaces (PUT /api/surveys/:id).
 *
 * @summary The survey builder and its live page.
 * @prop survey - The saved survey being edited; undefined: a new one. The form starts from it.
 * @fires saved - After a save; `detail: { survey }`.
 */
export class SurveyBuilderElement extends LitElement {
  static override styles = [shared, designer];

  static override properties = {
    survey: { attribute: false },
    draft: { state: true },
    editing: { state: true },
    adding: { state: true },
    shown: { state: true },
    error: { state: true },
    status: { state: true },
  };

  declare survey: Wire<Survey> | undefined;
  /** What the form holds. */
  declare draft: SurveyDraft;
  /** The language whose texts the form shows beside the default's, and the preview shows: the default language's code for none. */
  declare editing: string;
  /** The language code being typed to add, and why it cannot be added. */
  declare adding: { code: string; problem: string };
  /** The preview's address: the draft a moment after the last change. */
  declare shown: string;
  declare error: unknown;
  declare status: string;

  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.status = '';
    this.adding = { code: '', problem: '' };
  }

  override disconnectedCallback(): void {
    clearTimeout(this.#timer);
    super.disconnectedCallback();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    // Once: a save changes `survey` to what was saved, which is what the form holds already.
    if (this.draft === undefined) this.draft = this.survey ? draftOfSurvey(this.survey) : newSurvey();
    if (this.editing === undefined) this.editing = this.draft.language;
    if (!changed.has('draft') && !changed.has('editing')) return;
    // The page at its own address: a srcdoc frame would take this page's policy, which refuses the page's inline styles.
    const lang = this.editing === this.draft.language ? '' : `&lang=${encodeURIComponent(this.editing)}`;
    const shown = () => `/api/surveys/preview?survey=${encodeURIComponent(JSON.stringify(previewOf(this.draft)))}${lang}`;
    clearTimeout(this.#timer);
    // The first page and another language's at once, later ones a moment after the last keystroke.
    if (changed.get('draft') === undefined || changed.has('editing')) this.shown = shown();
    else this.#timer = setTimeout(() => (this.shown = shown()), previewDelayMs);
  }

  #change(change: Partial<SurveyDraft>): void {
    this.draft = { ...this.draft, ...change };
    this.status = '';
  }

  #scale(index: number, change: Partial<ExtraQuestion>): void {
    this.#change({ extraQuestions: this.draft.extraQuestions.map((q, i) => (i === index ? { ...q, ...change } : q)) });
  }

  #addScale(): void {
    const keys = new Set(this.draft.extraQuestions.map((q) => q.key));
    let n = this.draft.extraQuestions.length + 1;
    while (keys.has(`scale${n}`)) n++;
    this.#change({ extraQuestions: [...this.draft.extraQuestions, { key: `scale${n}`, text: 'How satisfied are you with our support?', min: 1, max: 5 }] });
  }

  #translate(lang: string, translation: Translation): void {
    this.#change({ translations: { ...this.draft.translations, [lang]: translation } });
  }

  /** Adds the language typed, checked as the API checks a translation's code, and opens its texts. */
  async #addLanguage(): Promise<void> {
    const code = this.adding.code.trim().toLowerCase();
    const languages = [this.draft.language, ...Object.keys(this.draft.translations)];
    let problem = '';
    if (!languageCodePattern.test(code)) problem = languageCodeMessage;
    else if (languages.includes(code)) problem = `the survey has ${named(code)} already`;
    this.adding = { code: problem ? this.adding.code : '', problem };
    if (problem) return;
    this.#change({ translations: { ...this.draft.translations, [code]: {} } });
    this.editing = code;
    await this.updateComplete;
    this.renderRoot.querySelector('bw-survey-translation')?.renderRoot.querySelector<HTMLElement>('input')?.focus();
  }

  #removeLanguage(lang: string): void {
    const { [lang]: _removed, ...translations } = this.draft.translations;
    this.#change({ translations });
    if (this.editing === lang) this.editing = this.draft.language;
    this.status = `${named(lang)} is removed; Save to keep the change.`;
  }

  async #save(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.error = undefined;
    this.status = 'Saving…';
    const body = bodyOf(this.draft);
    try {
      const saved = this.survey
        ? await api<Wire<Survey>>(`/api/surveys/${this.survey.id}`, { method: 'PUT', body })
        : await api<Wire<Survey>>('/api/surveys', { method: 'POST', body });
      this.survey = saved;
      this.status = `Saved as survey ${saved.id}.`;
      this.dispatchEvent(new CustomEvent('saved', { detail: { survey: saved }, bubbles: true, composed: true }));
    } catch (error) {
      this.status = '';
      this.error = error;
      // A refused text of another language is shown at its field: that language's texts open, unless the one edited has a refused text too.
      const refused = [...(fieldErrors(error)?.keys() ?? [])].map((path) => path.split('.')).filter(([at, , field]) => at === 'translations' && field !== undefined).map(([, lang]) => lang!);
      if (refused.length > 0 && !refused.includes(this.editing)) this.editing = refused[0]!;
    }
  }

  override render(): TemplateResult {
    const d = this.draft;
    const errors = fieldErrors(this.error);
    const text = (e: Event) => (e.target as HTMLInputElement).value;
    const contrast = d.brandColor && /^#[0-9a-fA-F]{6}$/.test(d.brandColor) ? contrastWithWhite(d.brandColor.toLowerCase()) : null;
    return html`<div class="designer">
      <form class="fields" aria-label="Survey" @submit=${this.#save}>
        <label>Name (for you; recipients never see it) <input required maxlength="100" .value=${d.name} @input=${(e: Event) => this.#change({ name: text(e) })} />${fieldError(errors, 'name')}</label>
        <label>Title <input required maxlength="200" .value=${d.title} @input=${(e: Event) => this.#change({ title: text(e) })} />${fieldError(errors, 'title')}</label>
        <label>NPS question <textarea required maxlength="500" rows="2" .value=${d.question} @input=${(e: Event) => this.#change({ question: text(e) })}></textarea>${fieldError(errors, 'question')}</label>
        <label class="check"><input type="checkbox" .checked=${d.commentQuestion !== null}
          @change=${(e: Event) => this.#change({ commentQuestion: (e.target as HTMLInputElement).checked ? 'What is the main reason for your score?' : null })} /> Ask for a comment</label>
        ${d.commentQuestion !== null
          ? html`<label>Comment question <input required maxlength="500" .value=${d.commentQuestion} @input=${(e: Event) => this.#change({ commentQuestion: text(e) })} />${fieldError(errors, 'commentQuestion')}</label>`
          : nothing}
        <fieldset>
          <legend>Extra scales (at most ${maxScales})</legend>
          <ol class="rows">${d.extraQuestions.map((q, i) => this.#scaleRow(q, i, errors))}</ol>
          <button type="button" ?disabled=${d.extraQuestions.length >= maxScales} @click=${this.#addScale}>Add a scale</button>
        </fieldset>
        <label>Thank-you text <textarea required maxlength="1000" rows="2" .value=${d.thankYou} @input=${(e: Event) => this.#change({ thankYou: text(e) })}></textarea>${fieldError(errors, 'thankYou')}</label>
        <label>Brand colour (#rrggbb; empty: the default blue) <input maxlength="7" placeholder="#1f5fbf" .value=${d.brandColor ?? ''} @input=${(e: Event) => this.#change({ brandColor: text(e).trim() || null })} />${fieldError(errors, 'brandColor')}</label>
        ${contrast !== null && contrast < 4.5
          ? html`<p class="note" role="status">White text on ${d.brandColor} has a contrast of ${contrast.toFixed(1)}:1, below the 4.5:1 that keeps the buttons readable for everyone.</p>`
          : nothing}
        <label>Logo URL (https) <input type="url" maxlength="2000" placeholder="https://example.com/logo.svg" .value=${d.logoUrl ?? ''} @input=${(e: Event) => this.#change({ logoUrl: text(e).trim() || null })} />${fieldError(errors, 'logoUrl')}</label>
        ${this.#languages(errors)}
        ${this.editing !== d.language
          ? html`<bw-survey-translation lang=${this.editing} .translation=${d.translations[this.editing] ?? {}} .survey=${d} .errors=${errors}
              @translation-change=${(e: CustomEvent<{ translation: Translation }>) => this.#translate(this.editing, e.detail.translation)}></bw-survey-translation>`
          : nothing}
        ${this.error ? failure(this.error, 'Not saved') : nothing}
        <div class="actions">
          <button type="submit" class="primary">${this.survey ? 'Save changes' : 'Save'}</button>
          <span role="status" class="done">${this.status}</span>
        </div>
      </form>
      <section class="preview" aria-label="Preview">
        <h2>Preview in ${named(this.editing)}</h2>
        <p class="note">The page as a recipient sees it; its button sends nothing here.</p>
        <iframe sandbox="" title="Preview of the survey page" src=${this.shown}></iframe>
      </section>
    </div>`;
  }

  #languages(errors: Map<string, string[]> | null): TemplateResult {
    const d = this.draft;
    const add = (e: Event) => {
      e.preventDefault();
      void this.#addLanguage();
    };
    return html`<fieldset>
      <legend>Languages</legend>
      <p class="note">Each contact gets the survey in their language when the survey has it, else in the default language.</p>
      <ul class="languages" aria-label="Languages of the survey">
        <li aria-current=${this.editing === d.language ? 'true' : 'false'}>
          <span>${named(d.language)}, the default: the texts of this form</span>
          <button type="button" aria-label="Preview: ${named(d.language)}" @click=${() => (this.editing = d.language)}>Preview</button>
        </li>
        ${Object.keys(d.translations).map((lang) => html`<li aria-current=${this.editing === lang ? 'true' : 'false'}>
          <span>${named(lang)}</span>
          <button type="button" aria-label="Edit texts: ${named(lang)}" @click=${() => (this.editing = lang)}>Edit texts</button>
          <button type="button" class="danger" aria-label="Remove: ${named(lang)}" @click=${() => this.#removeLanguage(lang)}>Remove</button>
          ${fieldError(errors, `translations.${lang}`)}
        </li>`)}
      </ul>
      <div class="actions">
        <label>Language to add (a code, e.g. de, fr or pt-br)
          <input .value=${this.adding.code} aria-invalid=${this.adding.problem ? 'true' : 'false'}
            @input=${(e: Event) => (this.adding = { code: (e.target as HTMLInputElement).value, problem: '' })}
            @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && add(e)} />
          ${this.adding.problem ? html`<span class="error">${this.adding.problem}</span>` : nothing}
        </label>
        <button type="button" @click=${add}>Add the language</button>
      </div>
      <label>Contact attribute holding each contact's language (e.g. language; empty: everyone gets the default language)
        <input maxlength="100" .value=${d.languageAttribute ?? ''} @input=${(e: Event) => this.#change({ languageAttribute: (e.target as HTMLInputElement).value.trim() || null })} />${fieldError(errors, 'languageAttribute')}
      </label>
    </fieldset>`;
  }

  #scaleRow(q: ExtraQuestion, i: number, errors: Map<string, string[]> | null): TemplateResult {
    const n = i + 1;
    const text = (e: Event) => (e.target as HTMLInputElement).value;
    const bound = (e: Event) => Number(text(e));
    return html`<li>
      <label>Scale ${n} question <input required maxlength="500" .value=${q.text} @input=${(e: Event) => this.#scale(i, { text: text(e) })} />${fieldError(errors, `extraQuestions.${i}.text`)}</label>
      <label>Scale ${n} key (answers are kept under it) <input required pattern="[a-z][a-zA-Z0-9_]{0,39}" .value=${q.key} @input=${(e: Event) => this.#scale(i, { key: text(e) })} />${fieldError(errors, `extraQuestions.${i}.key`)}</label>
      <div class="actions">
        <label>Scale ${n} from <input type="number" min="0" max="9" .value=${String(q.min)} @input=${(e: Event) => this.#scale(i, { min: bound(e) })} />${fieldError(errors, `extraQuestions.${i}.min`)}</label>
        <label>Scale ${n} to <input type="number" min="1" max="10" .value=${String(q.max)} @input=${(e: Event) => this.#scale(i, { max: bound(e) })} />${fieldError(errors, `extraQuestions.${i}.max`)}</label>
      </div>
      <label>Scale ${n} label of the low end <input maxlength="60" .value=${q.minLabel ?? ''} @input=${(e: Event) => this.#scale(i, { minLabel: text(e) })} />${fieldError(errors, `extraQuestions.${i}.minLabel`)}</label>
      <label>Scale ${n} label of the high end <input maxlength="60" .value=${q.maxLabel ?? ''} @input=${(e: Event) => this.#scale(i, { maxLabel: text(e) })} />${fieldError(errors, `extraQuestions.${i}.maxLabel`)}</label>
      <button type="button" class="danger" aria-label="Remove scale ${n}" @click=${() => this.#change({ extraQuestions: this.draft.extraQuestions.filter((_, j) => j !== i) })}>Remove</button>
    </li>`;
  }
}
