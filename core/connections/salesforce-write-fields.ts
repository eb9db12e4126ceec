import type { Queryable } from '../db.ts';
import type { SecretBox } from '../secret-box.ts';
import { findSalesforceCredentials } from './salesforce.ts';
import { jsforceConnection, salesforceCallError, type ApiCalls } from './salesforce-jsforce.ts';

import type { DescribedWriteField } from '../workflows/write-back.ts';

/** The fields of an object of a stored org, from its describe (one API call). */
export async function describeWritableFields(db: Queryable, box: SecretBox, connectionId: number, object: string, usage?: ApiCalls): Promise<DescribedWriteField[]> {
  const credentials = await findSalesforceCredentials(db, box, connectionId);
  const conn = await jsforceConnection(credentials, usage);
  try {
    const described = await conn.sobject(object).describe();
    return writableFields(described.fields);
  } catch (error) {
    throw salesforceCallError(credentials, `describing ${object}`, error);
  }
}

/** A field as the describe answers it, as far as writableFields reads it. */
type Described = { name: string; type: string; updateable: boolean; length?: number | null; restrictedPicklist?: boolean | null; picklistValues?: { value: string; active: boolean }[] | null };

/** The describe's fields as writes check them. */
export function writableFields(fields: readonly Described[]): DescribedWriteField[] {
  return fields.map((f) => ({
    name: f.name,
    type: f.type,
    updateable: f.updateable,
    ...(typeof f.length === 'number' ? { length: f.length } : {}),
    ...(f.restrictedPicklist ? { restrictedPicklist: true, picklistValues: (f.picklistValues ?? []).map((v) => ({ value: v.value, active: v.active })) } : {}),
  }));
}
