import { Router } from 'express';
import type { Queryable } from '../../core/db.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { z } from 'zod';
import { defaultWidgetConfig } from '../../core/widgets/config-queries.ts';
import type { WidgetAccess } from '../widgets/routes.ts';
import { signedInUser } from './access.ts';

/** How long the embed token of My accounts works; the console asks again when it runs out. */
const myAccountsTokenSeconds = 3600;

export const myAccountsSchema = z.object({ configId: z.number().int(), token: z.string(), expiresAt: z.iso.datetime() });

/**
 * The directory whose accounts a user manages: the first where their email holds a management role,
 * or the first directory when it holds none (the widget then shows no account).
 */
async function directoryOf(db: Queryable, email: string): Promise<number> {
  const [row] = await db.query<{ id: number | null }>(
    `select coalesce(
       (select directory_id from management_roles where lower(user_email) = $1 and not is_deleted order by directory_id limit 1),
       (select min(id) from directories))::int as id`,
    [email],
  );
  if (row?.id == null) throw new AppError(ErrorCode.DIRECTORY_NOT_FOUND, 'there is no directory yet');
  return row.id;
}

/**
 * `GET /me/accounts`: the signed-in user's own accounts (those where their email holds an account
 * management role), as an embed token for `<strategic-accounts>` that the server scoped to that email.
 */
export function myAccountsRoutes(db: Queryable, access: WidgetAccess): Router {
  const router = Router();
  router.get('/me/accounts', async (_req, res) => {
    const { user } = signedInUser(res);
    const config = await defaultWidgetConfig(db, await directoryOf(db, user.email));
    const issued = await (await access.embedTokens()).issue({ configId: config.id, directoryId: config.directoryId, userEmail: user.email }, myAccountsTokenSeconds);
    res.json({ configId: config.id, ...issued } satisfies z.infer<typeof myAccountsSchema>);
  });
  return router;
}
