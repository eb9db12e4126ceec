import { escapeHtml } from '../../core/html.ts';
import type { LocalizedSurvey } from '../../core/surveys/languages.ts';
import { languageName } from '../../core/surveys/language-codes.ts';
import type { PageText } from '../../core/surveys/texts.ts';
import type { ExtraQuestion, Survey } from '../../core/surveys/queries.ts';
import type { Answer } from '../../core/surveys/responses.ts';

/** A survey in the language its page is shown in. */
export type PageSurvey = LocalizedSurvey<Survey>;

/*
 * The public pages a recipient sees: the survey, its thanks, the expiry page and the opt-out, in
 * the language chosen for the recipient.
 * Plain server-rendered HTML with a few lines of inline CSS: one request, no script, a form that
 * posts without JavaScript. Every text that comes from data goes through `escapeHtml`.
 */

const style = `
*{box-sizing:border-box}
body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f4f5f7}
main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.4rem;margin:0 0 1rem}
fieldset{border:0;margin:0 0 1.5rem;padding:0}
legend{font-weight:600;margin-bottom:.5rem;padding:0}
.scale{display:flex;flex-wrap:wrap;gap:.35rem}
.scale label{position:relative}
.scale input{position:absolute;opacity:0;width:100%;height:100%;margin:0;cursor:pointer}
.scale span{display:flex;align-items:center;justify-content:center;min-width:2.6rem;height:2.6rem;border:1px solid #8a939e;border-radius:.4rem;background:#fff}
.scale input:checked+span{background:var(--brand);border-color:var(--brand);color:#fff;font-weight:600}
.scale input:focus-visible+span,textarea:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid #f2b600;outline-offset:2px}
.ends{display:flex;justify-content:space-between;font-size:.85rem;color:#4a525c;margin-top:.25rem}
textarea{width:100%;min-height:6rem;font:inherit;padding:.5rem;border:1px solid #8a939e;border-radius:.4rem}
button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:.4rem;background:var(--brand);color:#fff;cursor:pointer}
.logo{display:block;max-height:3rem;max-width:12rem;margin:0 0 1rem}
.error{color:#a4161a;font-weight:600}
.note{color:#4a525c;font-size:.9rem}
nav ul{list-style:none;display:flex;gap:1rem;margin:0 0 1rem;padding:0;font-size:.9rem}
pre{white-space:pre-wrap;margin:0;font-size:.85rem}
`;

/** Links to the survey in its other languages, each named in its own language. */
function languageLinks(survey: PageSurvey): string {
  if (survey.languages.length < 2) return '';
  const links = survey.languages.map((code) =>
    code === survey.lang
      ? `<li><a href="?lang=${code}" aria-current="page" lang="${code}">${escapeHtml(languageName(code))}</a></li>`
      : `<li><a href="?lang=${code}" hreflang="${code}" lang="${code}">${escapeHtml(languageName(code))}</a></li>`,
  );
  return `<nav aria-label="${escapeHtml(survey.page.languages)}"><ul>${links.join('')}</ul></nav>
`;
}

/** What a page is shown in: its language, and a survey's brand colour (checked as #rrggbb when saved) and logo. */
type PageLook = { lang: string; brandColor: string | null; logoUrl: string | null };

const plain: PageLook = { lang: 'en', brandColor: null, logoUrl: null };

function page(title: string, body: string, look: PageLook = plain): string {
  return `<!doctype html>
<html lang="${escapeHtml(look.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>:root{--brand:${/^#[0-9a-f]{6}$/.test(look.brandColor ?? '') ? look.brandColor : '#1f5fbf'}}${style}</style>
</head>
<body>
<main>
${look.logoUrl ? `<img class="logo" src="${escapeHtml(look.logoUrl)}" alt="">` : ''}
${body}
</main>
</body>
</html>
`;
}

function scale(name: string, legend: string, min: number, max: number, checked: number | undefined, ends: [string, string] | null, required: boolean): string {
  const options = [];
  for (let value = min; value <= max; value++) {
    options.push(
      `<label><input type="radio" name="${name}" value="${value}"${checked === value ? ' checked' : ''}${required ? ' required' : ''}><span>${value}</span></label>`,
    );
  }
  const endLabels = ends ? `<div class="ends" aria-hidden="true"><span>${escapeHtml(ends[0])}</span><span>${escapeHtml(ends[1])}</span></div>` : '';
  return `<fieldset>
<legend>${escapeHtml(legend)}</legend>
<div class="scale">${options.join('')}</div>
${endLabels}
</fieldset>`;
}

function extra(question: ExtraQuestion, checked: number | undefined): string {
  const ends: [string, string] | null = question.minLabel || question.maxLabel ? [question.minLabel ?? '', question.maxLabel ?? ''] : null;
  return scale(`q_${question.key}`, question.text, question.min, question.max, checked, ends, false);
}

export type SurveyFormState = { answer?: Partial<Answer>; error?: string; note?: string };

/** The survey as a form that posts back to its own address (with its language, when one was chosen). */
export function surveyPage(survey: PageSurvey, state: SurveyFormState = {}): string {
  const answer = state.answer ?? {};
  const comment = survey.commentQuestion
    ? `<p><label for="comment"><strong>${escapeHtml(survey.commentQuestion)}</strong> <span class="note">${escapeHtml(survey.page.optional)}</span></label><br>
<textarea id="comment" name="comment" maxlength="5000">${escapeHtml(answer.comment ?? '')}</textarea></p>`
    : '';
  return page(
    survey.title,
    `${languageLinks(survey)}<h1>${escapeHtml(survey.title)}</h1>
${state.error ? `<p class="error" role="alert">${escapeHtml(state.error)}</p>` : ''}
${state.note ? `<p class="note">${escapeHtml(state.note)}</p>` : ''}
<form method="post">
${scale('score', survey.question, 0, 10, answer.score, [survey.scaleLabels.min!, survey.scaleLabels.max!], true)}
${survey.extraQuestions.map((q) => extra(q, answer.answers?.[q.key])).join('\n')}
${comment}
<button type="submit">${escapeHtml(survey.page.send)}</button>
</form>`,
    survey,
  );
}

export function thanksPage(survey: PageSurvey, note?: string): string {
  return page(survey.title, `<h1>${escapeHtml(survey.thankYou)}</h1>${note ? `<p class="note">${escapeHtml(note)}</p>` : ''}`, survey);
}

/** Says kindly that an individual link no longer takes answers, in the survey's language (served as 410 Gone). */
export function expiredPage(survey: PageSurvey, expiredOn: string): string {
  return page(
    survey.page.expiredTitle,
    `${languageLinks(survey)}<h1>${escapeHtml(survey.page.expiredTitle)}</h1>
<p>${escapeHtml(survey.page.expired(expiredOn))}</p>`,
    survey,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}

/** Asks before opting out: a link opened by a mail scanner must not unsubscribe anyone. In the recipient's language. */
export function optOutPage(text: PageText, lang: string, done: boolean): string {
  if (done) return page(text.optedOutTitle, `<h1>${escapeHtml(text.optedOutTitle)}</h1><p>${escapeHtml(text.optedOut)}</p>`, { ...plain, lang });
  return page(
    text.optOutTitle,
    `<h1>${escapeHtml(text.optOutTitle)}</h1>
<p>${escapeHtml(text.optOutAsk)}</p>
<form method="post"><button type="submit">${escapeHtml(text.optOutButton)}</button></form>`,
    { ...plain, lang },
  );
}

