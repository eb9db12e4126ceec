import express, { Router, type Request } from 'express';
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import { z } from 'zod';
import type { Db } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { hashPassword, verifyPassword } from '../../core/passwords.ts';
import { parseBody } from '../query-params.ts';
import { PostgresRateLimitStore } from '../rate-limit-store.ts';
import { fromOwnOrigin } from './access.ts';
import type { Sessions } from './sessions.ts';
import { email, findSignUpToken, findUserByEmail, name, password, publicUser, userColumns, type User } from './users.ts';

export const signInInput = z.strictObject({ email: z.string().max(320).transform((e) => e.trim().toLowerCase()), password: z.string().max(1000) });
export const setupInput = z.strictObject({ email, name, password });
export const acceptInput = z.strictObject({ name: name.optional(), password });

/** Failed sign-ins allowed in a window, per email and per client address; a success does not count. */
export const signInLimits = { windowMs: 15 * 60_000, perEmail: 5, perAddress: 20 };

function failedSignInLimiter(db: Db, limit: number, keyGenerator: (req: Request) => string, what: string) {
  const options: Partial<Options> = {
    store: new PostgresRateLimitStore(db, 'sign-in '),
    windowMs: signInLimits.windowMs,
    limit,
    skipSuccessfulRequests: true,
    // RateLimit headers (IETF draft 8) on every answer, and Retry-After on a refusal.
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator,
    handler: (_req, _res, next) => next(new AppError(ErrorCode.RATE_LIMITED, `too many failed sign-ins ${what}: try again later`)),
  };
  return rateLimit(options);
}

function emailOf(req: Request): string {
  const body: unknown = req.body;
  const address = typeof body === 'object' && body !== null && 'email' in body ? body.email : undefined;
  return typeof address === 'string' ? address.trim().toLowerCase() : '';
}

/** A POST that signs someone in must come from this server's pages when a browser sends it (login CSRF). */
function refuseOtherSites(req: Request, publicOrigin: string): void {
  if (req.get('origin') !== undefined && !fromOwnOrigin(req, publicOrigin)) {
    throw new AppError(ErrorCode.CSRF_REFUSED, "signing in must come from this server's own pages (its Origin header)");
  }
}

/**
 * The routes that sign someone in, mounted before authentication: the email and password, the first
 * start's setup link, and an invitation's link. Each parses its own small JSON body.
 */
export function signInRoutes(db: Db, sessions: Sessions, options: { publicOrigin: string; now: () => Date }): Router {
  const router = Router();
  const body = express.json({ limit: '16kb' });
  const byAddress = failedSignInLimiter(db, signInLimits.perAddress, (req) => `address ${ipKeyGenerator(req.ip ?? '')}`, 'from this address');
  const byEmail = failedSignInLimiter(db, signInLimits.perEmail, (req) => `email ${emailOf(req)}`, 'for this email');

  router.post('/session', body, byAddress, byEmail, async (req, res) => {
    refuseOtherSites(req, options.publicOrigin);
    const input = parseBody(signInInput, req.body, 'sign-in');
    const user = await findUserByEmail(db, input.email);
    let matches = false;
    if (user?.passwordHash) matches = await verifyPassword(input.password, user.passwordHash);
    // An unknown email costs the same hashing as a wrong password, and answers the same.
    else await hashPassword(input.password);
    if (!user || !user.active || !matches) throw new AppError(ErrorCode.INVALID_CREDENTIALS, 'the email or the password is wrong');
    await sessions.start(res, user.id);
    res.json({ user: publicUser(user) });
  });

  router.get('/setup/:token', async (req, res) => {
    if (!(await findSignUpToken(db, 'setup', req.params.token, options.now()))) throw setupNotFound();
    res.json({ valid: true });
  });
  router.post('/setup/:token', body, async (req, res) => {
    refuseOtherSites(req, options.publicOrigin);
    const input = parseBody(setupInput, req.body, 'first admin');
    const passwordHash = await hashPassword(input.password);
    const user = await db.tx(async (tx) => {
      if (!(await findSignUpToken(tx, 'setup', req.params.token, options.now(), true))) throw setupNotFound();
      const [created] = await tx
        .query<User>(`insert into users (email, name, role, password_hash) values ($1, $2, 'admin', $3) returning ${userColumns}`, [input.email, input.name, passwordHash])
        .catch(emailTaken(input.email));
      return created!;
    });
    await sessions.start(res, user.id);
    res.status(201).json({ user: publicUser(user) });
  });

  router.get('/invitations/:token', async (req, res) => {
    const found = await findSignUpToken(db, 'invitation', req.params.token, options.now());
    const [user] = found ? await db.query<User>(`select ${userColumns} from users where id = $1 and active`, [found.userId]) : [];
    if (!user) throw invitationNotFound();
    res.json({ email: user.email, name: user.name });
  });
  router.post('/invitations/:token', body, async (req, res) => {
    refuseOtherSites(req, options.publicOrigin);
    const input = parseBody(acceptInput, req.body, 'sign-up');
    const passwordHash = await hashPassword(input.password);
    const user = await db.tx(async (tx) => {
      const found = await findSignUpToken(tx, 'invitation', req.params.token, options.now(), true);
      const [accepted] = found
        ? await tx.query<User>(`update users set password_hash = $2, name = coalesce($3, name) where id = $1 and active returning ${userColumns}`, [found.userId, passwordHash, input.name ?? null])
        : [];
      if (!accepted) throw invitationNotFound();
      return accepted;
    });
    await sessions.start(res, user.id);
    res.json({ user: publicUser(user) });
  });
  return router;
}

function setupNotFound(): AppError {
  return new AppError(ErrorCode.NOT_FOUND, 'this setup link is not valid: it was used, expired after 24 hours, or was replaced by a later start');
}

function invitationNotFound(): AppError {
  return new AppError(ErrorCode.NOT_FOUND, 'this invitation is not valid: it was used or expired after 7 days; ask an admin for a new one');
}

/** A unique violation on users' email as a 409. */
function emailTaken(address: string) {
  return (error: { code?: string }): never => {
    if (error.code === '23505') throw new AppError(ErrorCode.CONFLICT, `a user with the email ${address} already exists`);
    throw error;
  };
}
