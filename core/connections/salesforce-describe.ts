import type { Queryable } from '../db.ts';
import type { SecretBox } from '../secret-box.ts';
import { findSalesforceCredentials } from './salesforce.ts';
import { jsforceConnection, salesforceCallError, type ApiCalls } from './salesforce-jsforce.ts';

/** A field of an object's describe, as far as writes read it. */
export type DescribedWritableField = { name: string; type: string; updateable: boolean; length?: number };

/** The fields of an object of a stored org, from its describe (one API call). */
export async function describeWritableFields(db: Queryable, box: SecretBox, connectionId: number, object: string, usage?: ApiCalls): Promise<DescribedWritableField[]> {
  const credentials = await findSalesforceCredentials(db, box, connectionId);
  const conn = await jsforceConnection(credentials, usage);
  try {
    const described = await conn.sobject(object).describe();
    return described.fields.map((f) => ({ name: f.name, type: f.type, updateable: f.updateable, ...(typeof f.length === 'number' ? { length: f.length } : {}) }));
  } catch (error) {
    throw salesforceCallError(credentials, `describing ${object}`, error);
  }
}
