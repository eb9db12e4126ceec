/** Where an alert points: the console's pages under PUBLIC_URL, in the alert's directory. */
export type ConsoleLinks = { account: (accountId: string) => string; answer: (contactId: string, responseId: number) => string };

export function consoleLinks(publicUrl: string, directoryId: number): ConsoleLinks {
  const inDirectory = `?directory=${directoryId}`;
  return {
    account: (accountId) => `${publicUrl}/directory/accounts/${encodeURIComponent(accountId)}${inDirectory}`,
    // The contact's page lists its answers; the fragment names the row of this one.
    answer: (contactId, responseId) => `${publicUrl}/directory/contacts/${encodeURIComponent(contactId)}${inDirectory}#answer-${responseId}`,
  };
}
