/*
 * Language codes and their names, without zod: the console's survey builder checks a code as the
 * API does, and names each language as the survey page does.
 */

/** A language code as BCP 47 writes it, lower case: "de", "en", "pt-br". */
export const languageCodePattern = /^[a-z]{2,3}(-[a-z0-9]{2,8})?$/;
export const languageCodeMessage = 'a language code, e.g. "en", "de" or "pt-br"';

/** The language's own name for itself ("Deutsch"), for the page's language links. */
export function languageName(code: string): string {
  try {
    const name = new Intl.DisplayNames([code], { type: 'language' }).of(code);
    return name ? name.charAt(0).toLocaleUpperCase(code) + name.slice(1) : code;
  } catch {
    return code;
  }
}
