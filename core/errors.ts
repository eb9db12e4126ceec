/** Stable error codes: callers branch on these, never on message text. */
export const ErrorCode = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  SECRET_UNREADABLE: 'SECRET_UNREADABLE',
  HOST_KEY_MISMATCH: 'HOST_KEY_MISMATCH',
  SOURCE_DISCONNECTED: 'SOURCE_DISCONNECTED',
  SOURCE_UNREACHABLE: 'SOURCE_UNREACHABLE',
  SFTP_LOGIN_REFUSED: 'SFTP_LOGIN_REFUSED',
  CONNECTION_NOT_FOUND: 'CONNECTION_NOT_FOUND',
  SALESFORCE_AUTH_FAILED: 'SALESFORCE_AUTH_FAILED',
  SALESFORCE_CONFIG_INVALID: 'SALESFORCE_CONFIG_INVALID',
  SALESFORCE_API_ERROR: 'SALESFORCE_API_ERROR',
  SALESFORCE_UNAVAILABLE: 'SALESFORCE_UNAVAILABLE',
  SALESFORCE_BUDGET: 'SALESFORCE_BUDGET',
  CONFLICT: 'CONFLICT',
  RUN_CANCELLED: 'RUN_CANCELLED',
  WORKER_LOST: 'WORKER_LOST',
  MAPPING_INVALID: 'MAPPING_INVALID',
  SOURCE_COLUMN_MISSING: 'SOURCE_COLUMN_MISSING',
  SOURCE_UNREADABLE: 'SOURCE_UNREADABLE',
  FILE_OUTSIDE_IMPORT_DIR: 'FILE_OUTSIDE_IMPORT_DIR',
  ATTRIBUTE_IMMUTABLE: 'ATTRIBUTE_IMMUTABLE',
  DIRECTORY_NOT_FOUND: 'DIRECTORY_NOT_FOUND',
  LOAD_FAILED: 'LOAD_FAILED',
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  INVALID_CREDENTIALS: 'INVALID_CREDENTIALS',
  CSRF_REFUSED: 'CSRF_REFUSED',
  RATE_LIMITED: 'RATE_LIMITED',
  BAD_REQUEST: 'BAD_REQUEST',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * What each code means and the HTTP status it answers with unless the thrower says otherwise: the
 * error catalogue of the API description (/api/openapi.json) and the README. Codes a run ends with
 * are recorded on the run and answer 500 only if they ever reach a request.
 */
export const errorCatalogue: Readonly<Record<ErrorCode, { status: number; meaning: string }>> = {
  CONFIG_INVALID: { status: 500, meaning: 'the server is configured wrongly or lacks a setting this request needs (409 when a feature is not set up)' },
  SECRET_UNREADABLE: { status: 500, meaning: 'a stored credential was sealed with another SECRET_KEY' },
  HOST_KEY_MISMATCH: { status: 500, meaning: "the SFTP server's host key is not the fingerprint the connection names (run error; 409 when a connection is saved or browsed)" },
  SOURCE_DISCONNECTED: { status: 500, meaning: 'the connection to a source dropped while reading it (run error, retried; 502 when an SFTP folder is browsed or a file previewed)' },
  SOURCE_UNREACHABLE: { status: 500, meaning: 'a source could not be reached (run error, retried; 502 when a connection is tested, saved or browsed)' },
  SFTP_LOGIN_REFUSED: { status: 400, meaning: 'the SFTP server refused the user name with the password or private key given (a run error too)' },
  CONNECTION_NOT_FOUND: { status: 404, meaning: 'no SFTP or Salesforce connection has this id' },
  SALESFORCE_AUTH_FAILED: { status: 400, meaning: 'Salesforce refused the login or the authorization' },
  SALESFORCE_CONFIG_INVALID: { status: 400, meaning: 'the Salesforce object, field or list view asked for cannot be read' },
  SALESFORCE_API_ERROR: { status: 500, meaning: 'a Salesforce API call failed (run error)' },
  SALESFORCE_UNAVAILABLE: { status: 500, meaning: 'Salesforce did not answer in time (run error, retried)' },
  SALESFORCE_BUDGET: { status: 500, meaning: "the run would take more than its share of the org's daily API requests, or the org is over its limit (run error, retried)" },
  CONFLICT: { status: 409, meaning: 'the request contradicts the current state: in use, already running, disabled' },
  RUN_CANCELLED: { status: 500, meaning: 'the run was cancelled and rolled back (run error)' },
  WORKER_LOST: { status: 500, meaning: 'the worker running the run stopped before it finished (run error)' },
  MAPPING_INVALID: { status: 400, meaning: 'the mapping of source columns to the directory is not valid' },
  SOURCE_COLUMN_MISSING: { status: 500, meaning: 'a source file lacks a column the mapping reads (run error)' },
  SOURCE_UNREADABLE: { status: 500, meaning: 'a source file could not be read as CSV (run error; 400 when a file is previewed)' },
  ATTRIBUTE_IMMUTABLE: { status: 409, meaning: "an attribute's type cannot change once values are stored" },
  DIRECTORY_NOT_FOUND: { status: 404, meaning: 'no directory has this id' },
  FILE_OUTSIDE_IMPORT_DIR: { status: 400, meaning: 'a workflow file extract names a file outside the import folder (IMPORT_DIR): refused when saved, and a run error when a link changed since' },
  LOAD_FAILED: { status: 500, meaning: 'the load failed and changed nothing (run error, retried)' },
  DATABASE_UNAVAILABLE: { status: 503, meaning: 'the database did not answer' },
  NOT_FOUND: { status: 404, meaning: 'no route, or no item with this id' },
  UNAUTHORIZED: { status: 401, meaning: 'the admin key, session or embed token is missing or not valid' },
  FORBIDDEN: { status: 403, meaning: "the signed-in user's role, the embed token or the origin does not allow this" },
  INVALID_CREDENTIALS: { status: 401, meaning: 'the email and password do not sign anyone in' },
  CSRF_REFUSED: { status: 403, meaning: "a change asked for with the session cookie came without this server's Origin" },
  RATE_LIMITED: { status: 429, meaning: 'too many attempts: wait the Retry-After seconds' },
  BAD_REQUEST: { status: 400, meaning: 'a parameter or the body is not valid; the message names it (413 too large, 415 wrong type)' },
  INTERNAL: { status: 500, meaning: 'an unexpected failure, logged on the server; the answer shows nothing of it' },
};

/** An error the product expects and can explain: a code, a message for people, an HTTP status. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? errorCatalogue[code].status;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** What a validation found, one `path: message` per issue, for an error message; `whole` names the value itself. */
export function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }, whole = '(root)'): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || whole}: ${i.message}`).join('; ');
}

/** PostgreSQL text cannot hold NUL: an error text that quotes one keeps it visible as `\0` rather than failing to be stored. */
export function storableText(text: string): string {
  return text.replaceAll('\0', '\\0');
}
