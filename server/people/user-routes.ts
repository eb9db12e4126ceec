import { Router } from 'express';
import { z } from 'zod';
import type { Db } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { idParam, parseBody } from '../query-params.ts';
import { signedInUser, principalOf } from './access.ts';
import { sendInvitation, type MailSettings } from './invitation-mail.ts';
import type { Sessions } from './sessions.ts';
import { email, issueSignUpToken, listUsers, name, publicUser, roles, userColumns, type UserListItem } from './users.ts';

export const invitationInput = z.strictObject({ email, name: name.default(''), role: z.enum(roles, { error: `must be ${roles.join(', ')}` }) });
export const userChange = z.strictObject({ role: z.enum(roles, { error: `must be ${roles.join(', ')}` }), active: z.boolean(), name }).partial();

/** How long an invitation's link works. */
export const invitationExpiryMs = 7 * 24 * 3600_000;

/** The signed-in user's own session: who it is, signing out here or everywhere. */
export function sessionRoutes(sessions: Sessions): Router {
  const router = Router();
  router.get('/session', (_req, res) => {
    res.json({ user: publicUser(signedInUser(res).user) });
  });
  router.delete('/session', async (_req, res) => {
    await sessions.end(res, signedInUser(res).tokenHash);
    res.status(204).end();
  });
  router.delete('/sessions', async (_req, res) => {
    const { user, tokenHash } = signedInUser(res);
    await sessions.end(res, tokenHash);
    await sessions.endAll(user.id);
    res.status(204).end();
  });
  return router;
}

/** Users, for admins: invite one by email, change a role or a name, deactivate. */
export function userRoutes(db: Db, sessions: Sessions, options: { publicUrl: string; mail: MailSettings; now: () => Date }): Router {
  const router = Router();
  router.get('/users', async (_req, res) => {
    res.json({ items: await listUsers(db) });
  });

  router.post('/users', async (req, res) => {
    const input = parseBody(invitationInput, req.body, 'invitation');
    const principal = principalOf(res);
    const invitedBy = principal.kind === 'session' ? principal.user.name || principal.user.email : 'An administrator';
    const now = options.now();
    const expiresAt = new Date(now.getTime() + invitationExpiryMs);
    // The mail is written (to the outbox) or sent before the user is committed: a failure leaves no one invited without a link.
    const user = await db.tx(async (tx) => {
      // Someone invited who never signed up is invited again: the earlier link stops working.
      const [created] = await tx.query<UserListItem>(
        `insert into users as u (email, name, role, invited_at) values ($1, $2, $3, $4)
         on conflict (email) do update set name = excluded.name, role = excluded.role, invited_at = excluded.invited_at, active = true
           where u.password_hash is null
         returning ${userColumns}`,
        [input.email, input.name, input.role, now],
      );
      if (!created) throw new AppError(ErrorCode.CONFLICT, `${input.email} has already signed up`);
      await tx.query('delete from sign_up_tokens where user_id = $1', [created.id]);
      const token = await issueSignUpToken(tx, 'invitation', created.id, expiresAt);
      await sendInvitation(tx, options.mail, { to: input.email, name: input.name, invitedBy, link: `${options.publicUrl}/invite?token=${token}`, expiresAt });
      return created;
    });
    res.status(201).json({ user });
  });

  router.patch('/users/:id', async (req, res) => {
    const id = idParam(req.params.id, 'user');
    const change = parseBody(userChange, req.body, 'user change');
    const user = await db.tx(async (tx) => {
      // Locking every active admin serialises two changes that would each leave the other as the last one.
      const admins = await tx.query<{ id: number }>(`select id::int from users where role = 'admin' and active order by id for update`);
      const losesAdmin = (change.role !== undefined && change.role !== 'admin') || change.active === false;
      if (losesAdmin && admins.length === 1 && admins[0]!.id === id) {
        throw new AppError(ErrorCode.CONFLICT, 'this is the last active admin: make another user an admin first');
      }
      const [changed] = await tx.query<UserListItem>(
        `update users set role = coalesce($2, role), active = coalesce($3, active), name = coalesce($4, name) where id = $1 returning ${userColumns}`,
        [id, change.role ?? null, change.active ?? null, change.name ?? null],
      );
      if (!changed) throw new AppError(ErrorCode.NOT_FOUND, `user ${id} does not exist`);
      return changed;
    });
    if (!user.active) await sessions.endAll(user.id);
    res.json({ user });
  });
  return router;
}
