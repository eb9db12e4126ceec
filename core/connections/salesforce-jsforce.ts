import { Connection } from 'jsforce';
import { AppError, ErrorCode } from '../errors.ts';
import type { SalesforceCredentials } from './salesforce.ts';
import { logIn, salesforceApiVersion } from './salesforce-auth.ts';

/** API calls made through a connection, as the org counts them against its daily budget (logins are not counted). */
export type ApiCalls = { calls: number };

/**
 * A jsforce connection to a stored org, logged in, that logs in again when the session expires.
 * Each request under /services/data is counted in `usage`, retries included, by wrapping the
 * connection's own transport: jsforce itself is used as it is.
 */
export async function jsforceConnection(credentials: SalesforceCredentials, usage: ApiCalls = { calls: 0 }): Promise<Connection> {
  const session = await logIn(credentials.login, credentials.name);
  const conn = new Connection({
    instanceUrl: session.instanceUrl,
    accessToken: session.accessToken,
    version: salesforceApiVersion,
    refreshFn: (_conn, callback) => {
      logIn(credentials.login, credentials.name).then(
        (fresh) => callback(null, fresh.accessToken),
        (error: Error) => callback(error),
      );
    },
  });
  const transport = conn._transport;
  const send = transport.httpRequest.bind(transport);
  transport.httpRequest = (request, options) => {
    if (new URL(request.url, session.instanceUrl).pathname.startsWith('/services/data/')) usage.calls++;
    return send(request, options);
  };
  return conn;
}

/** A failed jsforce call as an AppError naming the connection and Salesforce's errorCode. */
export function salesforceCallError(credentials: { name: string }, what: string, error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as Error & { errorCode?: string; code?: string };
  if (!e.errorCode && (e instanceof TypeError || /ECONNREFUSED|ENOTFOUND|fetch failed|socket/i.test(`${e.code ?? ''} ${e.message}`))) {
    return new AppError(ErrorCode.SOURCE_UNREACHABLE, `Salesforce connection "${credentials.name}": ${what}: cannot reach the org: ${e.message}`, { cause: error, status: 502 });
  }
  const code = e.errorCode ?? e.name;
  if (code === 'REQUEST_LIMIT_EXCEEDED') return new AppError(ErrorCode.SALESFORCE_BUDGET, `Salesforce connection "${credentials.name}": ${what}: the org is over its daily API request limit`, { cause: error, status: 502 });
  return new AppError(ErrorCode.SALESFORCE_API_ERROR, `Salesforce connection "${credentials.name}": ${what} failed: ${code}: ${e.message.replace(/^\w+: /, '')}`, { cause: error, status: 502 });
}
