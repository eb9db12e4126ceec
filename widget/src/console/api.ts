// The console's one way to the server: the documented HTTP API on this origin, with the session cookie.
// A change carries the Origin header the server checks against CSRF; browsers add it to every fetch
// that is not a GET, so nothing here sets it.

/** A type as JSON brings it: dates are ISO strings. */
export type Wire<T> = T extends Date ? string : T extends (infer I)[] ? Wire<I>[] : T extends object ? { [K in keyof T]: Wire<T[K]> } : T;

/** A refusal the server explained (`{ error: { code, message } }`), or a network failure (`NETWORK`). */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/** One page of a list, as every paged route answers. */
export type Page<T> = { items: T[]; total: number; limit: number; offset: number };

export type ApiRequest = { method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; body?: unknown; signal?: AbortSignal };

/** Calls `path` (`/api/...`) and answers its JSON body (undefined for 204), or throws an ApiError. A Blob (a File) body is sent as its raw bytes, anything else as JSON. */
export async function api<T>(path: string, { method = 'GET', body, signal }: ApiRequest = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      signal,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': body instanceof Blob ? body.type || 'application/octet-stream' : 'application/json' },
      ...(body === undefined ? {} : { body: body instanceof Blob ? body : JSON.stringify(body) }),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError('NETWORK', 'the server could not be reached', 0);
  }
  if (response.status === 204) return undefined as T;
  const answer: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const refusal = (answer as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    throw new ApiError(
      typeof refusal?.code === 'string' ? refusal.code : 'HTTP',
      typeof refusal?.message === 'string' ? refusal.message : `the server answered ${response.status}`,
      response.status,
    );
  }
  return answer as T;
}

/** An error as the console shows it: the server's code, then its message. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  return { code: 'ERROR', message: error instanceof Error ? error.message : String(error) };
}
