import { backoffDelay } from '../../../core/backoff.ts';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SalesforceCredentials } from '../../../core/connections/salesforce.ts';
import { logIn, salesforceApiVersion, type SalesforceSession } from '../../../core/connections/salesforce-auth.ts';
import { AppError, ErrorCode, isAppError } from '../../../core/errors.ts';
import { ApiBudget } from './api-budget.ts';

/** How long a run keeps trying through an org's bad moments, and how it spaces its attempts. */
export type Resilience = {
  /** A request that still fails after this long ends the run with SALESFORCE_UNAVAILABLE. */
  giveUpAfterMs: number;
  firstDelayMs: number;
  maxDelayMs: number;
  /** No answer (or no further bytes of one) for this long counts as a dropped connection. */
  requestTimeoutMs: number;
};

export const defaultResilience: Resilience = { giveUpAfterMs: 5 * 60_000, firstDelayMs: 1000, maxDelayMs: 30_000, requestTimeoutMs: 120_000 };

/** API calls a run made, as the org counts them against its daily budget (login requests are not counted by Salesforce). */
export type ApiUsage = { calls: number };

/** Answers worth waiting out: the org is busy or briefly down (REQUEST_LIMIT_EXCEEDED is the daily limit: see ApiBudget). */
const passingCodes = new Set(['SERVER_UNAVAILABLE', 'UNABLE_TO_LOCK_ROW', 'ERROR_HTTP_500', 'ERROR_HTTP_502', 'ERROR_HTTP_503', 'ERROR_HTTP_504']);

class SalesforceFault extends Error {
  readonly errorCode: string;
  constructor(errorCode: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.errorCode = errorCode;
  }
}

/**
 * One org's API for one run. jsforce logs in (OAuth 2.0 or SOAP) and holds the session; the calls
 * themselves go out with fetch, because jsforce raises a socket dropped mid-response on a stream
 * nobody listens to, which ends the process, and silently retries GETs against the org's budget.
 * Every request is one counted API call. An expired session logs in again and the request is
 * retried once; passing faults back off with jitter until `giveUpAfterMs`.
 */
export class SalesforceApi {
  readonly credentials: SalesforceCredentials;
  readonly usage: ApiUsage;
  readonly budget: ApiBudget;
  private readonly resilience: Resilience;
  private current: SalesforceSession | undefined;

  constructor(credentials: SalesforceCredentials, usage: ApiUsage, resilience: Resilience = defaultResilience, apiShare = 1) {
    this.credentials = credentials;
    this.usage = usage;
    this.resilience = resilience;
    this.budget = new ApiBudget(apiShare, this.where);
  }

  private get where(): string {
    return `Salesforce connection "${this.credentials.name}"`;
  }

  private async session(): Promise<SalesforceSession> {
    this.current ??= await logIn(this.credentials.login, this.credentials.name);
    return this.current;
  }

  /** A JSON call relative to /services/data/vXX.X (e.g. `/sobjects/Account/describe`). */
  async json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const attempts = this.attempts(`${method} ${path.split('?')[0]}`);
    for (;;) {
      try {
        const response = await this.open(path, body === undefined ? {} : { 'content-type': 'application/json' }, method, body === undefined ? undefined : JSON.stringify(body));
        return JSON.parse(await response.text()) as T;
      } catch (error) {
        await attempts.failed(error);
      }
    }
  }

  /** A GET read whole as text (a REST query page): a drop while it reads is retried like a failed request. */
  async text(path: string, headers: Record<string, string> = {}): Promise<string> {
    const attempts = this.attempts(`GET ${path.split('?')[0]}`);
    for (;;) {
      try {
        const response = await this.open(path, headers);
        return await response.text();
      } catch (error) {
        await attempts.failed(error);
      }
    }
  }

  /**
   * One GET answered 200, its body left to read as a stream (a page of Bulk API results); the
   * caller reads it, and on a drop asks its `attempts` whether to request it again. No bytes for
   * `requestTimeoutMs` abort the read.
   */
  async open(path: string, headers: Record<string, string> = {}, method = 'GET', payload?: string): Promise<{ headers: Headers; body: Readable; text: () => Promise<string> }> {
    const conn = await this.session();
    this.usage.calls++;
    const idle = new AbortController();
    let timer = setTimeout(() => idle.abort(), this.resilience.requestTimeoutMs);
    const url = path.startsWith('/services/') ? path : `/services/data/v${salesforceApiVersion}${path}`;
    try {
      const response = await fetch(conn.instanceUrl + url, { method, headers: { ...headers, authorization: `Bearer ${conn.accessToken}` }, signal: idle.signal, ...(payload === undefined ? {} : { body: payload }) });
      this.budget.observe(response.headers.get('sforce-limit-info'), response.ok);
      if (!response.ok) {
        const text = await response.text();
        const [first] = parseErrors(text);
        throw new SalesforceFault(first?.errorCode ?? `ERROR_HTTP_${response.status}`, first?.message ?? text.slice(0, 200));
      }
      const web = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
      const restart = () => {
        clearTimeout(timer);
        timer = setTimeout(() => idle.abort(), this.resilience.requestTimeoutMs);
      };
      // Pulled chunk by chunk, so a page arrives only as fast as the loader takes it (a 'data'
      // listener would switch the stream to flowing and buffer the page in memory).
      const body = Readable.from(
        (async function* () {
          try {
            for await (const chunk of web) {
              restart();
              yield chunk as Buffer;
            }
          } finally {
            clearTimeout(timer);
          }
        })(),
        { objectMode: false },
      );
      const text = async () => {
        let all = '';
        for await (const chunk of body.setEncoding('utf8')) all += chunk as string;
        return all;
      };
      return { headers: response.headers, body, text };
    } catch (error) {
      clearTimeout(timer);
      throw error;
    }
  }

  /** The retry policy of one logical request: log in again once on an expired session, back off on passing faults. */
  attempts(what: string): { failed: (error: unknown) => Promise<void> } {
    const started = Date.now();
    let refreshed = false;
    let tries = 0;
    return {
      failed: async (error) => {
        tries++;
        if (isAppError(error)) throw error;
        const fault = asFault(error);
        if (fault.errorCode === 'INVALID_SESSION_ID' && !refreshed) {
          // Sessions time out (two hours by default, or as the org's policy says): log in again, once.
          refreshed = true;
          this.current = undefined;
          return;
        }
        if (fault.errorCode === 'REQUEST_LIMIT_EXCEEDED') throw this.budget.exhausted(`${what}: ${fault.errorCode}: ${fault.message.trim()}`, error);
        if (fault.errorCode === 'INVALID_SESSION_ID') {
          throw new AppError(ErrorCode.SALESFORCE_AUTH_FAILED, `${this.where}: the session was refused again right after logging in (${what})`, { cause: error });
        }
        if (!passingCodes.has(fault.errorCode) && !fault.errorCode.startsWith('NETWORK_')) {
          throw new AppError(ErrorCode.SALESFORCE_API_ERROR, `${this.where}: ${what} failed: ${fault.errorCode}: ${fault.message.trim()}`, { cause: error });
        }
        const delay = backoffDelay(tries, this.resilience);
        const elapsed = Date.now() - started;
        if (elapsed + delay > this.resilience.giveUpAfterMs) {
          throw new AppError(
            ErrorCode.SALESFORCE_UNAVAILABLE,
            `${this.where}: ${what} kept failing for ${(elapsed / 1000).toFixed(1)} s over ${tries} attempts; last: ${fault.errorCode}: ${fault.message.trim()}`,
            { cause: error },
          );
        }
        await sleep(delay);
      },
    };
  }
}

/** Any failure of a request as Salesforce's errorCode (jsforce's HttpApiError carries it) or a NETWORK_ code. */
function asFault(error: unknown): SalesforceFault {
  if (error instanceof SalesforceFault) return error;
  const e = error as Error & { errorCode?: string };
  return new SalesforceFault(e.errorCode ?? networkCode(e), e.message, { cause: error });
}

function parseErrors(text: string): { errorCode?: string; message?: string }[] {
  try {
    const parsed = JSON.parse(text) as unknown;
    return Array.isArray(parsed) ? parsed : [parsed as { errorCode?: string; message?: string }];
  } catch {
    return [];
  }
}

/** A failure below HTTP (refused, reset, dropped, timed out), named by its system code when it has one. */
function networkCode(error: Error): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  const code = (error as { code?: string }).code ?? cause?.code;
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return 'NETWORK_TIMEOUT';
  if (code) return `NETWORK_${code}`;
  if (error instanceof TypeError || /terminated|socket|ECONN|fetch failed/i.test(error.message)) return 'NETWORK_DROPPED';
  return 'NETWORK_ERROR';
}
