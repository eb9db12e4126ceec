import type { Translation } from '../../../../core/surveys/languages.ts';

/*
 * A translation as the builder's fields change it: a text at a path ("scaleLabels.min",
 * "emails.invitation.subject"), an emptied field kept as "" while it is edited and left out of
 * what the API gets, so the text comes from the default language again.
 */

type Texts = { [key: string]: string | Texts | undefined };

/** The text at `path`; "" when the translation leaves it out. */
export function textAt(translation: Translation, path: readonly string[]): string {
  let at: string | Texts | undefined = translation as Texts;
  for (const key of path) at = typeof at === 'object' ? at[key] : undefined;
  return typeof at === 'string' ? at : '';
}

/** The translation with `value` at `path`. */
export function withText(translation: Translation, path: readonly string[], value: string): Translation {
  const set = (texts: Texts, [key, ...rest]: readonly string[]): Texts => ({
    ...texts,
    [key!]: rest.length === 0 ? value : set(typeof texts[key!] === 'object' ? (texts[key!] as Texts) : {}, rest),
  });
  return set(translation as Texts, path) as Translation;
}

function withoutEmpty(texts: Texts): Texts {
  const kept: Texts = {};
  for (const [key, value] of Object.entries(texts)) {
    if (typeof value === 'string') {
      if (value.trim() !== '') kept[key] = value;
    } else if (value !== undefined) {
      const inner = withoutEmpty(value);
      if (Object.keys(inner).length > 0) kept[key] = inner;
    }
  }
  return kept;
}

/**
 * What the API takes of a translation: no empty text (it refuses one), and nothing for a comment the
 * survey does not ask for or a scale it no longer has (a key renamed or a scale removed in the form).
 */
export function translationToSave(translation: Translation, survey: { commentQuestion: string | null; extraQuestions: readonly { key: string }[] }): Translation {
  const { commentQuestion, extraQuestions, ...rest } = withoutEmpty(translation as Texts) as Translation;
  const keys = new Set(survey.extraQuestions.map((q) => q.key));
  const scales = Object.entries(extraQuestions ?? {}).filter(([key]) => keys.has(key));
  return {
    ...rest,
    ...(commentQuestion !== undefined && survey.commentQuestion !== null ? { commentQuestion } : {}),
    ...(scales.length > 0 ? { extraQuestions: Object.fromEntries(scales) } : {}),
  };
}
