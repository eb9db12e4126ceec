import { z } from 'zod';
import type { Queryable } from '../../core/db.ts';

/** A custom account attribute: its name and type never change once a load created it. */
export const attributeDefinitionSchema = z.object({
  name: z.string(),
  dataType: z.enum(['Integer', 'Decimal', 'String', 'Enum', 'DateTime']),
  enumValues: z.array(z.string()).nullable().describe('the values an Enum allows; null for other types'),
  createdAt: z.date(),
});
export type AttributeDefinition = z.infer<typeof attributeDefinitionSchema>;

/** A directory's attribute definitions by name; null when the directory does not exist. */
export async function listAttributeDefinitions(db: Queryable, directoryId: number): Promise<AttributeDefinition[] | null> {
  const rows = await db.query<AttributeDefinition & { directory: number }>(
    `select d.id::int as directory, a.name, a.data_type as "dataType", a.enum_values as "enumValues", a.created_at as "createdAt"
     from directories d left join account_attribute_definitions a on a.directory_id = d.id
     where d.id = $1 order by a.name`,
    [directoryId],
  );
  if (rows.length === 0) return null;
  return rows.filter((row) => row.name !== null).map(({ directory: _, ...definition }) => definition);
}
