import { z } from 'zod';
import type { Queryable } from '../db.ts';
import { AppError, ErrorCode } from '../errors.ts';
import type { SecretBox } from '../secret-box.ts';
import { findSalesforceCredentials } from './salesforce.ts';
import { logIn, salesforceApiVersion } from './salesforce-auth.ts';

/** What an org connection is now: who it logs in as, in which org, and how much of the day's API requests the org has spent. */
export const salesforceUsageSchema = z.object({
  orgId: z.string(),
  username: z.string(),
  instanceUrl: z.string(),
  apiVersion: z.string(),
  dailyApiRequests: z.object({ max: z.number().int(), remaining: z.number().int() }).describe("the org's daily API requests (rolling 24 hours), from /limits"),
});
export type SalesforceUsage = z.infer<typeof salesforceUsageSchema>;

/** A logged-in connection's way to read the org's REST API: one login, then one API request per read. */
export async function orgReader(db: Queryable, box: SecretBox, id: number): Promise<{ session: { instanceUrl: string }; read: <T>(path: string) => Promise<T> }> {
  const connection = await findSalesforceCredentials(db, box, id);
  const session = await logIn(connection.login, connection.name);
  const read = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${session.instanceUrl}${path}`, { headers: { authorization: `Bearer ${session.accessToken}`, accept: 'application/json' } }).catch((error: unknown) => {
      throw new AppError(ErrorCode.SOURCE_UNREACHABLE, `Salesforce connection "${connection.name}": cannot reach ${session.instanceUrl}: ${(error as Error).message}`, { status: 502, cause: error });
    });
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const code = Array.isArray(body) ? (body[0] as { errorCode?: string } | undefined)?.errorCode : (body as { error?: string } | undefined)?.error;
      throw new AppError(ErrorCode.SALESFORCE_API_ERROR, `Salesforce connection "${connection.name}": ${path} answered ${response.status}${code ? ` ${code}` : ''}`, { status: 502 });
    }
    return body as T;
  };
  return { session, read };
}

/** Logs in as the connection does and reads the user (UserInfo) and the org's limits (1 API request). */
export async function salesforceUsage(db: Queryable, box: SecretBox, id: number): Promise<SalesforceUsage> {
  const { session, read } = await orgReader(db, box, id);
  const user = await read<{ preferred_username: string; organization_id: string }>('/services/oauth2/userinfo');
  const limits = await read<{ DailyApiRequests: { Max: number; Remaining: number } }>(`/services/data/v${salesforceApiVersion}/limits`);
  return {
    orgId: user.organization_id,
    username: user.preferred_username,
    instanceUrl: session.instanceUrl,
    apiVersion: salesforceApiVersion,
    dailyApiRequests: { max: limits.DailyApiRequests.Max, remaining: limits.DailyApiRequests.Remaining },
  };
}
