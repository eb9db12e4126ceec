import { createHash, randomBytes } from 'node:crypto';
import { Connection, OAuth2 } from 'jsforce';
import { importPKCS8, SignJWT } from 'jose';
import { AppError, ErrorCode } from '../errors.ts';

/** jsforce defaults to API 50.0; every call names this version. */
export const salesforceApiVersion = '62.0';

/**
 * The Connected App that the web-server flow logs in through (SALESFORCE_CLIENT_ID and friends);
 * `loginUrl` is where people sign in to the console through it (SALESFORCE_LOGIN_URL).
 */
export type SalesforceApp = { clientId: string; clientSecret: string; callbackUrl: string; loginUrl: string };

/** What a connection logs in with, secrets opened: one of the three flows. */
export type SalesforceLogin =
  | { flow: 'web'; loginUrl: string; clientId: string; clientSecret: string | null; refreshToken: string }
  | { flow: 'jwt'; loginUrl: string; clientId: string; username: string; privateKey: string }
  | { flow: 'password'; loginUrl: string; username: string; password: string; clientId: string | null; clientSecret: string | null };

export type SalesforceSession = { accessToken: string; instanceUrl: string; orgId: string };

/**
 * A fresh session for a connection: the refresh token, a signed JWT assertion, or the password
 * (through the OAuth 2.0 password grant when the Connected App is known, else SOAP login). A refusal
 * names the flow and Salesforce's error code, never a secret.
 */
export async function logIn(login: SalesforceLogin, name: string): Promise<SalesforceSession> {
  try {
    if (login.flow === 'web') {
      const oauth2 = new OAuth2({ loginUrl: login.loginUrl, clientId: login.clientId, ...(login.clientSecret ? { clientSecret: login.clientSecret } : {}) });
      return session(await oauth2.refreshToken(login.refreshToken));
    }
    if (login.flow === 'jwt') {
      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(login.clientId)
        .setSubject(login.username)
        .setAudience(login.loginUrl)
        .setExpirationTime('3m')
        .sign(await importPKCS8(login.privateKey, 'RS256'));
      const oauth2 = new OAuth2({ loginUrl: login.loginUrl });
      return session(await oauth2.requestToken({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }));
    }
    const conn = new Connection({
      loginUrl: login.loginUrl,
      version: salesforceApiVersion,
      ...(login.clientId && login.clientSecret ? { oauth2: { loginUrl: login.loginUrl, clientId: login.clientId, clientSecret: login.clientSecret } } : {}),
    });
    const user = await conn.login(login.username, login.password);
    return { accessToken: conn.accessToken!, instanceUrl: conn.instanceUrl, orgId: user.organizationId };
  } catch (error) {
    throw loginError(error, login.flow, name);
  }
}

/** A PKCE pair (RFC 7636, S256): the verifier stays on the server, the challenge goes to Salesforce. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Where the admin's browser goes to log in and allow access; Salesforce comes back to the callback with `state`. */
export function authorizationUrl(app: SalesforceApp, loginUrl: string, state: string, challenge: string): string {
  return new OAuth2({ loginUrl, clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: app.callbackUrl })
    .getAuthorizationUrl({ state, scope: 'api refresh_token', code_challenge: challenge, code_challenge_method: 'S256' });
}

/** Trades the code of the web-server flow (and its PKCE verifier) for a session and the refresh token that outlives it. */
export async function exchangeCode(app: SalesforceApp, loginUrl: string, code: string, verifier: string, name: string): Promise<SalesforceSession & { refreshToken: string }> {
  try {
    const oauth2 = new OAuth2({ loginUrl, clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: app.callbackUrl });
    const answer = await oauth2.requestToken(code, { code_verifier: verifier });
    if (!answer.refresh_token) {
      throw new AppError(ErrorCode.SALESFORCE_AUTH_FAILED, `Salesforce issued no refresh token for "${name}": add the "refresh_token, offline_access" scope to the Connected App`);
    }
    return { ...session(answer), refreshToken: answer.refresh_token };
  } catch (error) {
    throw loginError(error, 'web', name);
  }
}

function session(answer: { access_token: string; instance_url: string; id: string }): SalesforceSession {
  // The identity URL ends in /id/<org id>/<user id>.
  const orgId = answer.id.split('/').at(-2) ?? '';
  return { accessToken: answer.access_token, instanceUrl: answer.instance_url, orgId };
}

const flowNames = { web: 'the refresh token', jwt: 'the JWT bearer flow', password: 'username and password' } as const;

function loginError(error: unknown, flow: SalesforceLogin['flow'], name: string): AppError {
  if (error instanceof AppError) return error;
  const e = error as Error & { errorCode?: string; code?: string };
  // jsforce names an OAuth refusal by its error (invalid_grant) and a SOAP fault by its code (INVALID_LOGIN).
  const code = e.errorCode ?? (e.name !== 'Error' ? e.name : (/^([A-Z_]+): /.exec(e.message)?.[1] ?? 'LOGIN_REFUSED'));
  if (e instanceof TypeError || e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || /fetch failed|ECONNREFUSED/.test(e.message)) {
    return new AppError(ErrorCode.SOURCE_UNREACHABLE, `Salesforce connection "${name}": cannot reach the login server: ${e.message}`, { cause: error });
  }
  const description = e.message.replace(/^\w+: /, '');
  return new AppError(ErrorCode.SALESFORCE_AUTH_FAILED, `Salesforce connection "${name}": logging in with ${flowNames[flow]} was refused: ${code}${description && description !== code ? ` (${description})` : ''}`, { cause: error });
}
