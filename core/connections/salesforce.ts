import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Queryable } from '../db.ts';
import { AppError, ErrorCode, describeIssues } from '../errors.ts';
import type { SecretBox } from '../secret-box.ts';
import { logIn, pkcePair, type SalesforceLogin, type SalesforceSession } from './salesforce-auth.ts';
import { loginUrl } from './login-url.ts';

const name = z.string().trim().min(1).max(100);

/** A headless connection: the JWT bearer flow (a Connected App's certificate key) or username-password. */
export const salesforceHeadlessInput = z.discriminatedUnion('flow', [
  z.strictObject({ flow: z.literal('jwt'), name, loginUrl, clientId: z.string().min(1), username: z.string().min(1), privateKey: z.string().includes('PRIVATE KEY', { message: 'a PEM private key (PKCS#8)' }) }),
  z.strictObject({
    flow: z.literal('password'),
    name,
    loginUrl,
    username: z.string().min(1),
    password: z.string().min(1),
    /** Appended to the password, as Salesforce expects outside trusted IP ranges. */
    securityToken: z.string().optional(),
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
  }),
]);
export type SalesforceHeadlessInput = z.input<typeof salesforceHeadlessInput>;

/** A connection as it may be shown: never a secret. */
export const salesforceConnectionSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  flow: z.enum(['web', 'jwt', 'password']),
  loginUrl: z.string(),
  instanceUrl: z.string(),
  orgId: z.string().nullable(),
  username: z.string().nullable(),
  createdAt: z.date(),
});
export type SalesforceConnection = z.infer<typeof salesforceConnectionSchema>;

/** What the extract needs: where the org is and how to log in again, secrets opened. */
export type SalesforceCredentials = SalesforceConnection & { login: SalesforceLogin };

const columns = `id::int, name, flow, login_url as "loginUrl", instance_url as "instanceUrl", org_id as "orgId", username, created_at as "createdAt"`;

function invalid(error: z.ZodError): AppError {
  return new AppError(ErrorCode.BAD_REQUEST, `invalid Salesforce connection: ${describeIssues(error, '(connection)')}`);
}

/** Logs in once with the given credentials (so a wrong one is refused now, not at the first run) and stores them sealed. */
export async function createHeadlessConnection(db: Queryable, box: SecretBox, input: unknown): Promise<SalesforceConnection> {
  const parsed = salesforceHeadlessInput.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  const c = parsed.data;
  await refuseTakenName(db, c.name);
  const login: SalesforceLogin =
    c.flow === 'jwt'
      ? { flow: 'jwt', loginUrl: c.loginUrl, clientId: c.clientId, username: c.username, privateKey: c.privateKey }
      : { flow: 'password', loginUrl: c.loginUrl, username: c.username, password: c.password + (c.securityToken ?? ''), clientId: c.clientId ?? null, clientSecret: c.clientSecret ?? null };
  const session = await logIn(login, c.name);
  return insertConnection(db, box, c.name, login, session);
}

/** Stores a connection whose login just worked. */
export async function insertConnection(db: Queryable, box: SecretBox, connectionName: string, login: SalesforceLogin, session: SalesforceSession): Promise<SalesforceConnection> {
  const seal = (value: string | null | undefined) => (value ? box.seal(value) : null);
  const [row] = await db.query<SalesforceConnection>(
    `insert into salesforce_connections (name, flow, login_url, instance_url, org_id, client_id, client_secret_sealed, refresh_token_sealed, username, password_sealed, private_key_sealed)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) on conflict (name) do nothing returning ${columns}`,
    [
      connectionName, login.flow, login.loginUrl, session.instanceUrl, session.orgId || null,
      login.clientId, seal('clientSecret' in login ? login.clientSecret : null), seal(login.flow === 'web' ? login.refreshToken : null),
      login.flow === 'web' ? null : login.username, seal(login.flow === 'password' ? login.password : null), seal(login.flow === 'jwt' ? login.privateKey : null),
    ],
  );
  if (!row) throw new AppError(ErrorCode.CONFLICT, `a Salesforce connection named "${connectionName}" already exists`);
  return row;
}

async function refuseTakenName(db: Queryable, connectionName: string): Promise<void> {
  const taken = await db.query('select 1 from salesforce_connections where name = $1', [connectionName]);
  if (taken.length > 0) throw new AppError(ErrorCode.CONFLICT, `a Salesforce connection named "${connectionName}" already exists`);
}

export async function listSalesforceConnections(db: Queryable): Promise<SalesforceConnection[]> {
  return db.query<SalesforceConnection>(`select ${columns} from salesforce_connections order by lower(name), id`);
}

/** A new name for a connection. */
export const salesforceRenameInput = z.strictObject({ name });

export async function renameSalesforceConnection(db: Queryable, id: number, input: unknown): Promise<SalesforceConnection> {
  const parsed = salesforceRenameInput.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  const [row] = await db.query<SalesforceConnection>(
    `update salesforce_connections set name = $2, updated_at = now() where id = $1
     and not exists (select 1 from salesforce_connections o where o.name = $2 and o.id <> $1) returning ${columns}`,
    [id, parsed.data.name],
  );
  if (row) return row;
  if ((await db.query('select 1 from salesforce_connections where id = $1', [id])).length === 0) {
    throw new AppError(ErrorCode.CONNECTION_NOT_FOUND, `Salesforce connection ${id} does not exist`);
  }
  throw new AppError(ErrorCode.CONFLICT, `a Salesforce connection named "${parsed.data.name}" already exists`);
}

/** Removes a connection and its watermarks; false when there was none. */
export async function deleteSalesforceConnection(db: Queryable, id: number): Promise<boolean> {
  return (await db.query('delete from salesforce_connections where id = $1 returning 1', [id])).length === 1;
}

export async function findSalesforceCredentials(db: Queryable, box: SecretBox, id: number): Promise<SalesforceCredentials> {
  type Stored = SalesforceConnection & { clientId: string | null; clientSecret: string | null; refreshToken: string | null; password: string | null; privateKey: string | null };
  const [row] = await db.query<Stored>(
    `select ${columns}, client_id as "clientId", client_secret_sealed as "clientSecret", refresh_token_sealed as "refreshToken",
       password_sealed as password, private_key_sealed as "privateKey"
     from salesforce_connections where id = $1`,
    [id],
  );
  if (!row) throw new AppError(ErrorCode.CONNECTION_NOT_FOUND, `Salesforce connection ${id} does not exist`);
  const { clientId, clientSecret, refreshToken, password, privateKey, ...connection } = row;
  const open = (sealed: string | null, what: string) => (sealed === null ? null : box.open(sealed, `${what} of Salesforce connection "${row.name}"`));
  const secret = open(clientSecret, 'client secret');
  const login: SalesforceLogin =
    row.flow === 'web'
      ? { flow: 'web', loginUrl: row.loginUrl, clientId: clientId!, clientSecret: secret, refreshToken: open(refreshToken, 'refresh token')! }
      : row.flow === 'jwt'
        ? { flow: 'jwt', loginUrl: row.loginUrl, clientId: clientId!, username: row.username!, privateKey: open(privateKey, 'private key')! }
        : { flow: 'password', loginUrl: row.loginUrl, username: row.username!, password: open(password, 'password')!, clientId, clientSecret: secret };
  return { ...connection, login };
}

/** What the web-server flow is started with: the connection's name and the org's login server. */
export const authorizationInput = z.object({ name, loginUrl });

/** Starts a web-server authorization: a one-time state that the callback must bring back, and the PKCE challenge of the verifier kept for it. */
export async function beginAuthorization(db: Queryable, input: unknown): Promise<{ state: string; challenge: string; name: string; loginUrl: string }> {
  const parsed = authorizationInput.safeParse(input);
  if (!parsed.success) throw invalid(parsed.error);
  await refuseTakenName(db, parsed.data.name);
  const state = randomBytes(24).toString('base64url');
  await db.query(`delete from salesforce_oauth_states where created_at < now() - interval '1 hour'`);
  const { verifier, challenge } = pkcePair();
  await db.query('insert into salesforce_oauth_states (state, name, login_url, code_verifier) values ($1, $2, $3, $4)', [state, parsed.data.name, parsed.data.loginUrl, verifier]);
  return { state, challenge, ...parsed.data };
}

/** The authorization a callback's state belongs to, used up: a state works once, within the hour. */
export async function takeAuthorization(db: Queryable, state: string): Promise<{ name: string; loginUrl: string; verifier: string }> {
  const [row] = await db.query<{ name: string; loginUrl: string; verifier: string }>(
    `delete from salesforce_oauth_states where state = $1 and created_at > now() - interval '1 hour' returning name, login_url as "loginUrl", code_verifier as verifier`,
    [state],
  );
  if (!row) throw new AppError(ErrorCode.BAD_REQUEST, 'this Salesforce authorization is unknown or expired (it works once, within an hour): start again');
  return row;
}
