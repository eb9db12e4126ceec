import { OAuth2 } from 'jsforce';
import { z } from 'zod';
import { AppError, ErrorCode } from '../errors.ts';
import type { SalesforceApp } from './salesforce-auth.ts';

/** Who Salesforce says signed in: its OpenID Connect userinfo, as much of it as signing in reads. */
export type SalesforceIdentity = { email: string; emailVerified: boolean; name: string };

const userinfo = z.object({ email: z.string(), email_verified: z.boolean().optional(), name: z.string().optional() });

function oauth2(app: SalesforceApp): OAuth2 {
  return new OAuth2({ loginUrl: app.loginUrl, clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: app.callbackUrl });
}

/** Where a person's browser goes to sign in to Salesforce; only the identity is asked for, no API access. */
export function signInUrl(app: SalesforceApp, state: string, challenge: string): string {
  return oauth2(app).getAuthorizationUrl({ state, scope: 'openid email profile', code_challenge: challenge, code_challenge_method: 'S256' });
}

/**
 * Trades the callback's code (with the PKCE verifier) for an access token, then reads who signed in
 * from the OpenID Connect userinfo endpoint of the user's instance.
 */
export async function signedInIdentity(app: SalesforceApp, code: string, verifier: string): Promise<SalesforceIdentity> {
  let token: { access_token: string; instance_url: string };
  try {
    token = await oauth2(app).requestToken(code, { code_verifier: verifier });
  } catch (error) {
    const e = error as Error;
    throw new AppError(ErrorCode.SALESFORCE_AUTH_FAILED, `Salesforce refused the sign-in's code: ${e.name !== 'Error' ? `${e.name} ` : ''}(${e.message})`, { cause: error });
  }
  const response = await fetch(`${token.instance_url}/services/oauth2/userinfo`, { headers: { authorization: `Bearer ${token.access_token}`, accept: 'application/json' } }).catch((error: unknown) => {
    throw new AppError(ErrorCode.SOURCE_UNREACHABLE, `Salesforce's userinfo endpoint cannot be reached: ${(error as Error).message}`, { cause: error });
  });
  const body: unknown = await response.json().catch(() => undefined);
  const parsed = userinfo.safeParse(body);
  if (!response.ok || !parsed.success) {
    throw new AppError(ErrorCode.SALESFORCE_AUTH_FAILED, `Salesforce's userinfo endpoint answered ${response.status} without an email: ${JSON.stringify(body)?.slice(0, 200)}`);
  }
  return { email: parsed.data.email.trim().toLowerCase(), emailVerified: parsed.data.email_verified === true, name: parsed.data.name?.trim() ?? '' };
}
