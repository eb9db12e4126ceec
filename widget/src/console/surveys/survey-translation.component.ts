import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { languageName } from '../../../../core/surveys/language-codes.ts';
import type { Translation } from '../../../../core/surveys/languages.ts';
import { builtInFor, builtInTexts, emailFor, emailKinds, type EmailKind, type EmailTemplate } from '../../../../core/surveys/texts.ts';
import { designer } from '../designer.styles.ts';
import { fieldError } from '../field-errors.ts';
import { shared } from '../shared.styles.ts';
import type { SurveyDraft } from './survey-builder.component.ts';
import { textAt, withText } from './translation-texts.ts';

const emailNames: Record<EmailKind, string> = { invitation: 'Invitation', reminder: 'Reminder', thankYou: 'Thank-you email' };
const emailFields: readonly { field: keyof EmailTemplate; label: string; max: number }[] = [
  { field: 'subject', label: 'subject', max: 300 },
  { field: 'html', label: 'HTML body', max: 20_000 },
  { field: 'text', label: 'plain-text body', max: 20_000 },
];

/**
 * A survey's texts in one more language, every text its translation may hold (core/surveys/languages.ts):
 * the title, the NPS question, the comment question, the thank-you text, the scale's end words, each
 * extra scale's question and end labels, and the invitation, reminder and thank-you emails. An empty
 * field is a text left out: its placeholder shows what recipients get instead.
 *
 * @summary The texts of one of a survey's other languages.
 * @prop lang - The language code.
 * @prop translation - Its texts as the form holds them.
 * @prop survey - The survey as the form holds it: its default texts, scales and emails.
 * @prop errors - The server's refusal of the survey by field path (`translations.de.title`), or null.
 * @fires translation-change - After each change; `detail: { translation }`.
 */
export class SurveyTranslationElement extends LitElement {
  static override styles = [shared, designer];

  static override properties = { lang: {}, translation: { attribute: false }, survey: { attribute: false }, errors: { attribute: false } };

  declare lang: string;
  declare translation: Translation;
  declare survey: SurveyDraft;
  declare errors: Map<string, string[]> | null;

  constructor() {
    super();
    this.translation = {};
    this.errors = null;
  }

  #set(path: readonly string[], event: Event): void {
    const translation = withText(this.translation, path, (event.target as HTMLInputElement).value);
    this.dispatchEvent(new CustomEvent('translation-change', { detail: { translation }, bubbles: true, composed: true }));
  }

  /** One text: an input (or a textarea of `rows`) in the language, its default as placeholder, and the server's messages about it. */
  #field(label: string, path: readonly string[], placeholder: string, max: number, rows = 0): TemplateResult {
    const value = textAt(this.translation, path);
    const error = fieldError(this.errors, ['translations', this.lang, ...path].join('.'));
    return rows === 0
      ? html`<label>${label} <input lang=${this.lang} maxlength=${max} .value=${value} placeholder=${placeholder} @input=${(e: Event) => this.#set(path, e)} />${error}</label>`
      : html`<label>${label} <textarea lang=${this.lang} maxlength=${max} rows=${rows} .value=${value} placeholder=${placeholder} @input=${(e: Event) => this.#set(path, e)}></textarea>${error}</label>`;
  }

  override render(): TemplateResult {
    const s = this.survey;
    const name = `${languageName(this.lang)} (${this.lang})`;
    const page = (builtInFor(this.lang) ?? builtInTexts.en!).page;
    return html`<fieldset>
      <legend>Texts in ${name}</legend>
      <p class="note">An empty field takes the text shown in it: the default language's, or the shipped words.</p>
      ${this.#field(`${name} title`, ['title'], s.title, 200)}
      ${this.#field(`${name} NPS question`, ['question'], s.question, 500, 2)}
      ${this.#field(`${name} label of the scale's low end (0)`, ['scaleLabels', 'min'], page.scaleMin, 60)}
      ${this.#field(`${name} label of the scale's high end (10)`, ['scaleLabels', 'max'], page.scaleMax, 60)}
      ${s.commentQuestion !== null ? this.#field(`${name} comment question`, ['commentQuestion'], s.commentQuestion, 500) : nothing}
      ${s.extraQuestions.map((q, i) => html`
        ${this.#field(`${name} scale ${i + 1} question`, ['extraQuestions', q.key, 'text'], q.text, 500)}
        ${this.#field(`${name} scale ${i + 1} label of the low end`, ['extraQuestions', q.key, 'minLabel'], q.minLabel ?? '', 60)}
        ${this.#field(`${name} scale ${i + 1} label of the high end`, ['extraQuestions', q.key, 'maxLabel'], q.maxLabel ?? '', 60)}`)}
      ${this.#field(`${name} thank-you text`, ['thankYou'], s.thankYou, 1000, 2)}
      ${this.#emails(name)}
    </fieldset>`;
  }

  #emails(name: string): TemplateResult {
    const fallback = { language: this.survey.language, emails: this.survey.emails, translations: {} };
    // Closed unless the server refused one of its texts, so its messages are seen.
    const refused = [...(this.errors?.keys() ?? [])].some((path) => path.startsWith(`translations.${this.lang}.emails.`));
    return html`<details ?open=${refused}>
      <summary>${name} emails</summary>
      <p class="note">Both bodies carry <code>{{optOutLink}}</code>: every survey email lets its reader opt out.</p>
      ${emailKinds.map((kind) => {
        const shipped = emailFor(fallback, this.lang, kind);
        return html`<fieldset>
          <legend>${emailNames[kind]}</legend>
          ${emailFields.map(({ field, label, max }) => this.#field(`${name} ${emailNames[kind].toLowerCase()} ${label}`, ['emails', kind, field], shipped[field], max, field === 'subject' ? 0 : 4))}
        </fieldset>`;
      })}
    </details>`;
  }
}
