/*
 * Subject and body templates of a distribution. `{{name}}` takes a recipient's value; `{{name|fallback}}`
 * takes the fallback when the value is empty (`Hello {{firstName|there}}`). In the HTML body every
 * value is HTML-escaped; in the subject and plain text body it stays as it is.
 */
import { escapeHtml } from '../html.ts';

export const placeholders = ['firstName', 'lastName', 'accountName', 'surveyLink', 'optOutLink', 'surveyTitle'] as const;
export type Placeholder = (typeof placeholders)[number];
export type TemplateValues = Record<Placeholder, string | null>;

const placeholderPattern = /\{\{\s*([A-Za-z]+)\s*(?:\|([^}]*))?\}\}/g;

/** The placeholders a template names that do not exist, for an error when it is saved. */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(placeholderPattern)].map((m) => m[1]!).filter((name) => !(placeholders as readonly string[]).includes(name));
}


export function render(template: string, values: TemplateValues, as: 'html' | 'text'): string {
  return template.replace(placeholderPattern, (_, name: string, fallback: string | undefined) => {
    const value = values[name as Placeholder] || fallback?.trim() || '';
    return as === 'text' ? value : escapeHtml(value);
  });
}

/** A subject line: rendered as text, with line breaks folded to spaces so a value never starts another header line. */
export function renderSubject(template: string, values: TemplateValues): string {
  return render(template, values, 'text').replace(/[\r\n]+/g, ' ');
}

export const defaultTemplates = {
  subject: '{{surveyTitle}}: how likely are you to recommend us?',
  text: `Hello {{firstName|there}},

How likely are you to recommend us to a friend or colleague? It takes a minute, and the
team that looks after {{accountName|your account}} reads every answer.

Answer here: {{surveyLink}}

Thank you.

To receive no more surveys: {{optOutLink}}
`,
  html: `<p>Hello {{firstName|there}},</p>
<p>How likely are you to recommend us to a friend or colleague? It takes a minute, and the
team that looks after {{accountName|your account}} reads every answer.</p>
<p><a href="{{surveyLink}}">Answer the survey</a></p>
<p>Thank you.</p>
<p style="font-size:12px;color:#555">To receive no more surveys, <a href="{{optOutLink}}">unsubscribe</a>.</p>
`,
} as const;
