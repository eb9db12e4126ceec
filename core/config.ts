import path from 'node:path';
import { z } from 'zod';
import { AppError, ErrorCode, describeIssues } from './errors.ts';
import { loginUrl } from './connections/login-url.ts';
import { defaultMaxFieldBytes } from './records/csv.ts';
import { defaultUploadMaxBytes } from './uploads/store-upload.ts';

const apiShare = 'SALESFORCE_API_SHARE is a share of the daily API requests above 0, at most 1';
const csvFieldBytes = 'CSV_MAX_FIELD_BYTES is a number of bytes from 1024 to 16777216';
const uploadBytes = 'UPLOAD_MAX_BYTES is a number of bytes from 1024 to 10737418240';
import { minimumPasswordLength } from './passwords.ts';

/**
 * Every setting the product reads from the environment, resolved once.
 * This is the only reader of `process.env`.
 */
const schema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  ADMIN_API_KEY: z.string().min(16, 'ADMIN_API_KEY must be at least 16 characters').optional(),
  ADMIN_EMAIL: z.email('ADMIN_EMAIL must be an email address').optional(),
  ADMIN_PASSWORD: z.string().min(minimumPasswordLength, `ADMIN_PASSWORD must be at least ${minimumPasswordLength} characters`).optional(),
  SECRET_KEY: z.string().min(32, 'SECRET_KEY must be at least 32 characters').optional(),
  EMBED_TOKEN_KEY: z.string().min(32, 'EMBED_TOKEN_KEY must be at least 32 characters').optional(),
  CORS_ORIGINS: z
    .string()
    .transform((list) => list.split(',').map((o) => o.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/?#\s]+$/, 'CORS_ORIGINS lists origins such as https://portal.example.com, separated by commas (no paths, no *)')))
    .default([]),
  BELLWETHER_DATA_DIR: z.string().default('.bellwether'),
  IMPORT_DIR: z.string().optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  SALESFORCE_CLIENT_ID: z.string().min(1).optional(),
  SALESFORCE_CLIENT_SECRET: z.string().min(1).optional(),
  SALESFORCE_CALLBACK_URL: z.url({ protocol: /^https?$/ }).optional(),
  SALESFORCE_LOGIN_URL: loginUrl,
  SALESFORCE_API_SHARE: z.coerce.number().gt(0, apiShare).max(1, apiShare).default(0.25),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).default('Bellwether <surveys@bellwether.localhost>'),
  SEND_RATE: z.coerce.number().positive().optional(),
  SMTP_CONNECTIONS: z.coerce.number().int().min(1).max(50).default(5),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  CSV_MAX_FIELD_BYTES: z.coerce.number().int().min(1024, csvFieldBytes).max(16 << 20, csvFieldBytes).default(defaultMaxFieldBytes),
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024, uploadBytes).max(10 * 1024 ** 3, uploadBytes).default(defaultUploadMaxBytes),
  BELLWETHER_DEMO: z.enum(['on', 'off']).default('on'),
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
});

export type Config = Readonly<{
  /** Unset: the product runs its own embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | undefined;
  port: number;
  /** Unset: a key is generated at first start, printed once, and its hash stored. */
  adminApiKey: string | undefined;
  /** ADMIN_EMAIL and ADMIN_PASSWORD: the admin each start creates, or whose password it resets. */
  firstAdmin: { email: string; password: string } | undefined;
  /** Seals stored credentials; unset: generated into the data folder (embedded database only). */
  secretKey: string | undefined;
  /** Signs widget embed tokens; unset: derived from the secret key. */
  embedTokenKey: string | undefined;
  /** Origins (scheme://host[:port]) whose pages may call the widget API. */
  corsOrigins: readonly string[];
  dataDir: string;
  /** The only folder a workflow's file extracts read from (its paths are relative to it); created at start. */
  importDir: string;
  embeddedPgPort: number;
  logLevel: z.infer<typeof schema>['LOG_LEVEL'];
  /** Unset: mail is kept in the local outbox (the console's /mail) instead of being sent. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Most messages per second sent over SMTP; unset: as fast as the pooled connections go. */
  sendRate: number | undefined;
  smtpConnections: number;
  /** Where recipients reach the survey pages, without a trailing slash. */
  publicUrl: string;
  /** A CSV field longer than this is a row error; capped so a load's memory stays bounded. */
  csvMaxFieldBytes: number;
  /** The most one uploaded file may hold: it is refused (413) past this, and nothing of it is kept. */
  uploadMaxBytes: number;
  /** The Connected App that admins log in through to connect an org, and people sign in to the console through; unset: headless connections only, passwords only. */
  salesforceApp: { clientId: string; clientSecret: string; callbackUrl: string; loginUrl: string } | undefined;
  /** The share of a Salesforce org's remaining daily API requests one sync run may take. */
  salesforceApiShare: number;
  /** `npm start` loads the demo company into its own directory on first start and serves the demo page (while that directory holds only the demo); BELLWETHER_DEMO=off: neither. */
  demo: boolean;
  /** How many reverse proxies (load balancers) stand before the web process: the client's address is read from X-Forwarded-For past them. */
  trustProxy: number;
}>;

export function loadConfig(env: Record<string, string | undefined>): Config {
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(blanksRemoved);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new AppError(ErrorCode.CONFIG_INVALID, `invalid configuration: ${issues}`);
  }
  const e = parsed.data;
  if ((e.SALESFORCE_CLIENT_ID === undefined) !== (e.SALESFORCE_CLIENT_SECRET === undefined)) {
    throw new AppError(ErrorCode.CONFIG_INVALID, 'invalid configuration: SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET are set together');
  }
  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new AppError(ErrorCode.CONFIG_INVALID, 'invalid configuration: ADMIN_EMAIL and ADMIN_PASSWORD are set together');
  }
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    port: e.PORT,
    adminApiKey: e.ADMIN_API_KEY,
    firstAdmin: e.ADMIN_EMAIL && e.ADMIN_PASSWORD ? { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD } : undefined,
    secretKey: e.SECRET_KEY,
    embedTokenKey: e.EMBED_TOKEN_KEY,
    corsOrigins: Object.freeze(e.CORS_ORIGINS.map((o) => new URL(o).origin)),
    dataDir: path.resolve(e.BELLWETHER_DATA_DIR),
    importDir: path.resolve(e.IMPORT_DIR ?? path.join(e.BELLWETHER_DATA_DIR, 'imports')),
    embeddedPgPort: e.EMBEDDED_PG_PORT,
    logLevel: e.LOG_LEVEL,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    sendRate: e.SEND_RATE,
    smtpConnections: e.SMTP_CONNECTIONS,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    csvMaxFieldBytes: e.CSV_MAX_FIELD_BYTES,
    uploadMaxBytes: e.UPLOAD_MAX_BYTES,
    salesforceApp:
      e.SALESFORCE_CLIENT_ID && e.SALESFORCE_CLIENT_SECRET
        ? {
            clientId: e.SALESFORCE_CLIENT_ID,
            clientSecret: e.SALESFORCE_CLIENT_SECRET,
            callbackUrl: e.SALESFORCE_CALLBACK_URL ?? `${(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '')}/oauth/salesforce/callback`,
            loginUrl: e.SALESFORCE_LOGIN_URL,
          }
        : undefined,
    salesforceApiShare: e.SALESFORCE_API_SHARE,
    demo: e.BELLWETHER_DEMO === 'on',
    trustProxy: e.TRUST_PROXY,
  });
}
