import { z } from 'zod';
import type { Queryable } from '../db.ts';
import { SourceKind } from '../records/source.ts';
import type { SecretBox } from '../secret-box.ts';
import { salesforceApiVersion } from './salesforce-auth.ts';
import { salesforceObjects, type DescribedField } from './salesforce-objects.ts';
import { orgReader } from './salesforce-usage.ts';

export const describedFieldSchema = z.object({
  name: z.string(),
  label: z.string(),
  type: z.string(),
  custom: z.boolean(),
  /** Whether an update may set it (not a formula, system or read-only field): what a write-back may write to. */
  updateable: z.boolean(),
  /** Null when the field can be extracted; otherwise why not (a compound field names its parts). */
  refusal: z.string().nullable(),
});

/** The fields of the org's object behind a directory source, as an extract task may pick them. */
export const objectDescribeSchema = z.object({
  object: z.string(),
  /** The fields the directory needs (relationship paths such as Parent.Id among them): always extracted. */
  required: z.array(z.string()),
  fields: z.array(describedFieldSchema),
});
export type ObjectDescribe = z.infer<typeof objectDescribeSchema>;

export const listViewSchema = z.object({ id: z.string(), developerName: z.string(), label: z.string() });

export const sourceKindSchema = z.enum(Object.values(SourceKind), 'accounts, contacts or teamMembers');

/** One describe call: each field with whether it can be extracted, the compound ones refused with their parts named (as a run would refuse them). */
export async function describeSourceObject(db: Queryable, box: SecretBox, connectionId: number, kind: SourceKind): Promise<ObjectDescribe> {
  const { object, required } = salesforceObjects[kind];
  const { read } = await orgReader(db, box, connectionId);
  const described = await read<{ fields: (DescribedField & { label: string; custom: boolean; updateable: boolean })[] }>(`/services/data/v${salesforceApiVersion}/sobjects/${object}/describe`);
  const fields = described.fields.map((field) => {
    const parts = described.fields.filter((f) => f.compoundFieldName === field.name).map((f) => f.name);
    const compound = parts.length > 0 || field.type === 'address' || field.type === 'location';
    return {
      name: field.name,
      label: field.label,
      type: field.type,
      custom: field.custom,
      updateable: field.updateable,
      refusal: compound ? `a compound field, which cannot be extracted: select its parts${parts.length > 0 ? ` (${parts.join(', ')})` : ''} instead` : null,
    };
  });
  return { object, required: [...required], fields };
}

/** The org's list views of the object behind a directory source (one API request). */
export async function sourceListViews(db: Queryable, box: SecretBox, connectionId: number, kind: SourceKind): Promise<z.infer<typeof listViewSchema>[]> {
  const { read } = await orgReader(db, box, connectionId);
  const answer = await read<{ listviews: { id: string; developerName: string; label: string }[] }>(`/services/data/v${salesforceApiVersion}/sobjects/${salesforceObjects[kind].object}/listviews`);
  return answer.listviews.map(({ id, developerName, label }) => ({ id, developerName, label }));
}
