// Why signing in with Salesforce sent someone back to the sign-in page. The callback's redirect
// names only the reason (`/sign-in?refused=unknown`), and the console shows its fixed text, so a
// link cannot put words of its own on the sign-in page. Imported by the console too: no imports here.

export const salesforceRefusals = {
  'not-configured': { code: 'CONFIG_INVALID', message: 'signing in with Salesforce needs a Connected App: set SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET and restart' },
  denied: { code: 'SALESFORCE_AUTH_FAILED', message: 'Salesforce did not sign you in (access was denied or the login was cancelled)' },
  expired: { code: 'BAD_REQUEST', message: 'this Salesforce sign-in was started in another browser or more than 10 minutes ago: start again' },
  failed: { code: 'SALESFORCE_AUTH_FAILED', message: 'Salesforce could not tell who signed in (the server logged why): try again, or sign in with your password' },
  unverified: { code: 'INVALID_CREDENTIALS', message: "your Salesforce user's email is not verified: verify it in Salesforce, then sign in again" },
  unknown: { code: 'INVALID_CREDENTIALS', message: "no Bellwether user has your Salesforce user's email: ask an admin to invite you" },
  deactivated: { code: 'INVALID_CREDENTIALS', message: 'your Bellwether user is deactivated: ask an admin' },
  'invitation-expired': { code: 'INVALID_CREDENTIALS', message: 'your invitation expired before you accepted it: ask an admin for a new one' },
} as const;

export type SalesforceRefusal = keyof typeof salesforceRefusals;

export function isSalesforceRefusal(reason: string | null): reason is SalesforceRefusal {
  return reason !== null && Object.hasOwn(salesforceRefusals, reason);
}
