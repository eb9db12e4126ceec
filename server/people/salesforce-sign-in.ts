import { randomBytes } from 'node:crypto';
import { Router, type Response } from 'express';
import { pkcePair, type SalesforceApp } from '../../core/connections/salesforce-auth.ts';
import { signedInIdentity, signInUrl, type SalesforceIdentity } from '../../core/connections/salesforce-identity.ts';
import type { Queryable } from '../../core/db.ts';
import type { Logger } from '../../core/log.ts';
import { readCookie, type Sessions } from './sessions.ts';
import type { SalesforceRefusal } from './salesforce-refusals.ts';
import { sha256 } from './users.ts';

/** How long a sign-in may stay at Salesforce's login page. */
export const salesforceSignInExpiryMs = 10 * 60_000;

/** Ties the state to the browser that started the sign-in, so a code fetched elsewhere signs no one in here (login CSRF). */
const stateCookie = 'bw_salesforce_state';

export type SalesforceSignInOptions = { app: SalesforceApp | undefined; secure: boolean; now: () => Date; logger: Logger };

/**
 * Signing in to the console with Salesforce (OpenID Connect over the Connected App's web-server flow,
 * with state and PKCE), mounted before authentication. The callback shares the org connections' path,
 * the Connected App's one callback URL: a state this router did not issue is passed on to them.
 */
export function salesforceSignInRoutes(db: Queryable, sessions: Sessions, options: SalesforceSignInOptions): Router {
  const router = Router();
  const cookieAttributes = `Path=/oauth/salesforce; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
  const refuse = (res: Response, reason: SalesforceRefusal): void => res.redirect(302, `/sign-in?refused=${reason}`);

  router.get('/api/session/methods', (_req, res) => {
    res.json({ password: true, salesforce: options.app !== undefined });
  });

  router.get('/api/session/salesforce', async (_req, res) => {
    if (!options.app) return refuse(res, 'not-configured');
    const now = options.now();
    const state = randomBytes(24).toString('base64url');
    const { verifier, challenge } = pkcePair();
    await db.query(
      `with expired as (delete from salesforce_sign_ins where created_at <= $4)
       insert into salesforce_sign_ins (state_sha256, code_verifier, created_at) values ($1, $2, $3)`,
      [sha256(state), verifier, now, new Date(now.getTime() - salesforceSignInExpiryMs)],
    );
    res.append('Set-Cookie', `${stateCookie}=${state}; ${cookieAttributes}; Max-Age=${salesforceSignInExpiryMs / 1000}`);
    res.redirect(302, signInUrl(options.app, state, challenge));
  });

  router.get('/oauth/salesforce/callback', async (req, res, next) => {
    // A parameter given twice arrives as a list: it is no state or code Salesforce sent.
    const param = (name: string): string => (typeof req.query[name] === 'string' ? req.query[name] : '');
    const state = param('state');
    const code = param('code');
    const error = param('error');
    const [pending] = await db.query<{ verifier: string }>(
      'delete from salesforce_sign_ins where state_sha256 = $1 and created_at > $2 returning code_verifier as verifier',
      [sha256(state), new Date(options.now().getTime() - salesforceSignInExpiryMs)],
    );
    const started = readCookie(req, stateCookie);
    // Not a sign-in's state, nor an expired one of this browser's: an org connection's authorization.
    if (!pending && started !== state) return next();
    res.append('Set-Cookie', `${stateCookie}=; ${cookieAttributes}; Max-Age=0`);
    if (!pending || started !== state || !options.app) return refuse(res, 'expired');
    if (error || !code) return refuse(res, 'denied');
    let identity: SalesforceIdentity;
    try {
      identity = await signedInIdentity(options.app, code, pending.verifier);
    } catch (failure) {
      options.logger.warn({ err: failure }, 'signing in with Salesforce failed');
      return refuse(res, 'failed');
    }
    const outcome = await admit(db, identity, options.now());
    if (typeof outcome === 'string') {
      options.logger.info({ email: identity.email, reason: outcome }, 'signing in with Salesforce was refused');
      return refuse(res, outcome);
    }
    await sessions.start(res, outcome.id);
    res.redirect(302, '/');
  });
  return router;
}

/**
 * The user whose email Salesforce verified, if they may sign in: active, and signed up or holding an
 * open invitation, which signing in accepts (its link then no longer works, and an empty name takes
 * Salesforce's). Anything else is the reason for the refusal.
 */
async function admit(db: Queryable, identity: SalesforceIdentity, now: Date): Promise<{ id: number } | SalesforceRefusal> {
  if (!identity.emailVerified) return 'unverified';
  const [user] = await db.query<{ id: number; active: boolean; signedUp: boolean; invited: boolean }>(
    `with candidate as (
       select id, active, password_hash is not null as signed_up from users where email = $1 for update
     ), accepted as (
       delete from sign_up_tokens t using candidate c
       where t.user_id = c.id and t.purpose = 'invitation' and t.expires_at > $2 and c.active
       returning t.user_id
     ), named as (
       update users set name = $3 where id in (select user_id from accepted) and name = ''
     )
     select id::int, active, signed_up as "signedUp", exists (select from accepted) as invited from candidate`,
    [identity.email, now, identity.name],
  );
  if (!user) return 'unknown';
  if (!user.active) return 'deactivated';
  if (!user.signedUp && !user.invited) return 'invitation-expired';
  return { id: user.id };
}
