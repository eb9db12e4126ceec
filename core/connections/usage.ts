import type { Queryable } from '../db.ts';

/** The workflows whose extract tasks read from a connection of either kind: the ones its removal breaks. */
export async function workflowsUsingConnection(db: Queryable, source: 'sftp' | 'salesforce', id: number): Promise<{ id: number; name: string }[]> {
  return db.query<{ id: number; name: string }>(
    `select id::int, name from workflows where definition->'tasks' @> jsonb_build_array(jsonb_build_object('source', $1::text, 'connectionId', $2::int))
     order by lower(name), id`,
    [source, id],
  );
}
