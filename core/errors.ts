/** Stable error codes: callers branch on these, never on message text. */
export const ErrorCode = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  SECRET_UNREADABLE: 'SECRET_UNREADABLE',
  HOST_KEY_MISMATCH: 'HOST_KEY_MISMATCH',
  SOURCE_DISCONNECTED: 'SOURCE_DISCONNECTED',
  SOURCE_UNREACHABLE: 'SOURCE_UNREACHABLE',
  CONNECTION_NOT_FOUND: 'CONNECTION_NOT_FOUND',
  SALESFORCE_AUTH_FAILED: 'SALESFORCE_AUTH_FAILED',
  SALESFORCE_CONFIG_INVALID: 'SALESFORCE_CONFIG_INVALID',
  SALESFORCE_API_ERROR: 'SALESFORCE_API_ERROR',
  SALESFORCE_UNAVAILABLE: 'SALESFORCE_UNAVAILABLE',
  CONFLICT: 'CONFLICT',
  RUN_CANCELLED: 'RUN_CANCELLED',
  WORKER_LOST: 'WORKER_LOST',
  MAPPING_INVALID: 'MAPPING_INVALID',
  SOURCE_COLUMN_MISSING: 'SOURCE_COLUMN_MISSING',
  SOURCE_UNREADABLE: 'SOURCE_UNREADABLE',
  ATTRIBUTE_IMMUTABLE: 'ATTRIBUTE_IMMUTABLE',
  DIRECTORY_NOT_FOUND: 'DIRECTORY_NOT_FOUND',
  LOAD_FAILED: 'LOAD_FAILED',
  DATABASE_UNAVAILABLE: 'DATABASE_UNAVAILABLE',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  BAD_REQUEST: 'BAD_REQUEST',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const defaultStatus: Partial<Record<ErrorCode, number>> = {
  NOT_FOUND: 404,
  DIRECTORY_NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  BAD_REQUEST: 400,
  MAPPING_INVALID: 400,
  ATTRIBUTE_IMMUTABLE: 409,
  CONFLICT: 409,
  CONNECTION_NOT_FOUND: 404,
  SALESFORCE_AUTH_FAILED: 400,
  SALESFORCE_CONFIG_INVALID: 400,
  DATABASE_UNAVAILABLE: 503,
};

/** An error the product expects and can explain: a code, a message for people, an HTTP status. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = options.status ?? defaultStatus[code] ?? 500;
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
