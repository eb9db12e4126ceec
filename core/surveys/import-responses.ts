import { z } from 'zod';
import { copyLine, type Db, type Tx } from '../db.ts';
import { AppError, ErrorCode, describeIssues } from '../errors.ts';
import type { RecordSource } from '../records/source.ts';
import { coerceAttribute } from '../directory/attributes.ts';
import { headerShown } from '../records/source.ts';

/** Where an imported NPS history puts each value, by default: Salesforce-export-shaped column names. */
export const defaultResponseColumns = { contactId: 'Contact.Id', accountId: 'Account.Id', score: 'Score', comment: 'Comment', respondedAt: 'Responded_At' } as const;

/**
 * A history's own column names for each value (the defaults for those left out), and the format
 * of its times when they are not ISO 8601: YYYY, MM, DD, HH, mm and ss stand for their digits,
 * anything else for itself (e.g. "DD/MM/YYYY HH:mm"); such a time is UTC.
 */
export const responseMappingSchema = z.strictObject({
  ...Object.fromEntries(Object.keys(defaultResponseColumns).map((k) => [k, z.string().min(1).optional()])) as Record<keyof typeof defaultResponseColumns, z.ZodOptional<z.ZodString>>,
  dateFormat: z.string().regex(/YYYY/, 'a format with YYYY, MM and DD').regex(/MM/).regex(/DD/).optional(),
});
export type ResponseMapping = z.infer<typeof responseMappingSchema>;

/** Parses a response mapping (a file's JSON, or an API request's query), naming each invalid path. */
export function parseResponseMapping(json: unknown, origin: string): ResponseMapping {
  const parsed = responseMappingSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw new AppError(ErrorCode.BAD_REQUEST, `response mapping ${origin} is invalid: ${describeIssues(parsed.error, '(root)')}`);
}

type Columns = { contact: string; account: string; score: string; comment: string; respondedAt: string };

function columnsOf(mapping: ResponseMapping): Columns {
  const d = defaultResponseColumns;
  return {
    contact: mapping.contactId ?? d.contactId,
    account: mapping.accountId ?? d.accountId,
    score: mapping.score ?? d.score,
    comment: mapping.comment ?? d.comment,
    respondedAt: mapping.respondedAt ?? d.respondedAt,
  };
}

/** A reader of times in `format` to ISO 8601 text, or null when one does not match it. */
function timeReader(format: string | undefined): (text: string) => string | null {
  if (format === undefined) return (text) => text;
  const tokens = ['YYYY', 'MM', 'DD', 'HH', 'mm', 'ss'] as const;
  const order: (typeof tokens)[number][] = [];
  const pattern = format.replace(/YYYY|MM|DD|HH|mm|ss|[.*+?^${}()|[\]\\]/g, (part) => {
    if (!(tokens as readonly string[]).includes(part)) return `\\${part}`;
    order.push(part as (typeof tokens)[number]);
    return part === 'YYYY' ? '(\\d{4})' : '(\\d{1,2})';
  });
  const regex = new RegExp(`^${pattern}$`);
  return (text) => {
    const m = regex.exec(text);
    if (!m) return null;
    const part = (token: (typeof tokens)[number]) => (order.includes(token) ? m[order.indexOf(token) + 1]!.padStart(2, '0') : '00');
    return `${part('YYYY')}-${part('MM')}-${part('DD')}T${part('HH')}:${part('mm')}:${part('ss')}Z`;
  };
}

export const responseImportSchema = z.object({
  inserted: z.number().int(),
  unchanged: z.number().int(),
  rejected: z.number().int(),
  /** The first rejected rows, in file order. */
  errors: z.array(z.object({ line: z.number().int(), field: z.string().nullable(), message: z.string() })),
});
export type ResponseImport = z.infer<typeof responseImportSchema>;

const shownErrors = 100;

/**
 * Imports a history of NPS answers (one per row: contact, account, 0-10 score, comment, time) in
 * one transaction. The contact must be in the directory; an empty account means the contact's
 * own. A response already imported (same contact and time) is left as it is.
 */
export async function importResponses(db: Db, directoryId: number, source: RecordSource, mapping: ResponseMapping = {}): Promise<ResponseImport> {
  const columns = columnsOf(mapping);
  const missing = [columns.contact, columns.score, columns.respondedAt].filter((c) => !source.columns.includes(c));
  if (missing.length > 0) {
    const shown = headerShown(source.columns, Object.values(columns));
    throw new AppError(ErrorCode.SOURCE_COLUMN_MISSING, `${source.name}: missing column ${missing.map((c) => `"${c}"`).join(', ')}; ${shown}`);
  }
  return db.tx(async (tx) => {
    await tx.query(`create temp table stg_responses (
      line integer not null, contact_external_id text, account_external_id text, score smallint, comment text,
      responded_at timestamptz, err_field text, err_message text) on commit drop`);
    await tx.copyIn('copy stg_responses from stdin', stageResponses(source, columns, mapping.dateFormat));
    await rejectUnknown(tx, directoryId, columns);
    const [counts] = await tx.query<{ inserted: number; valid: number }>(
      `with inserted as (
        insert into nps_responses (directory_id, contact_external_id, account_external_id, score, comment, responded_at)
        select $1, contact_external_id, account_external_id, score, comment, responded_at from stg_responses where err_message is null
        on conflict (directory_id, contact_external_id, responded_at) do nothing
        returning 1
      ) select (select count(*)::int from inserted) as inserted, (select count(*)::int from stg_responses where err_message is null) as valid`,
      [directoryId],
    );
    const errors = await tx.query<{ line: number; field: string | null; message: string; total: number }>(
      `select line, err_field as field, err_message as message, count(*) over ()::int as total
       from stg_responses where err_message is not null order by line limit $1`,
      [shownErrors],
    );
    return {
      inserted: counts!.inserted,
      unchanged: counts!.valid - counts!.inserted,
      rejected: errors[0]?.total ?? 0,
      errors: errors.map(({ line, field, message }) => ({ line, field, message })),
    };
  });
}

/** Completes each response's account from its contact, and rejects what the directory does not know. */
async function rejectUnknown(tx: Tx, directoryId: number, columns: Columns): Promise<void> {
  await tx.query(
    `update stg_responses s set account_external_id = coalesce(s.account_external_id, c.account_external_id)
     from contacts c where s.err_message is null and c.directory_id = $1 and c.external_id = s.contact_external_id`,
    [directoryId],
  );
  await tx.query(
    `update stg_responses s set err_field = $2, err_message = 'contact ' || s.contact_external_id || ' is not in the directory'
     where s.err_message is null and not exists (select 1 from contacts c where c.directory_id = $1 and c.external_id = s.contact_external_id)`,
    [directoryId, columns.contact],
  );
  await tx.query(
    `update stg_responses s set err_field = $2, err_message = case when s.account_external_id is null
       then 'the contact has no account and the row names none' else 'account ' || s.account_external_id || ' is not in the directory' end
     where s.err_message is null and not exists (select 1 from accounts a where a.directory_id = $1 and a.external_id = s.account_external_id)`,
    [directoryId, columns.account],
  );
}

async function* stageResponses(source: RecordSource, columns: Columns, dateFormat: string | undefined): AsyncGenerator<string> {
  const readTime = timeReader(dateFormat);
  let batch = '';
  for await (const item of source.items) {
    const line = item.origin.line;
    if (item.kind === 'error') {
      batch += copyLine([line, null, null, null, null, null, null, `${item.code}: ${item.message}`]);
      continue;
    }
    const value = (column: string) => (item.values[column] ?? '').trim();
    const fail = (field: string, message: string) => copyLine([line, null, null, null, null, null, field, message]);
    const score = value(columns.score);
    const time = value(columns.respondedAt);
    const iso = time === '' ? '' : readTime(time);
    const respondedAt =
      iso === null ? { ok: false as const, message: `value "${time}" is not a time in the format ${dateFormat}` } : coerceAttribute({ name: columns.respondedAt, type: 'DateTime' }, iso);
    if (value(columns.contact) === '') batch += fail(columns.contact, `${columns.contact} is empty`);
    else if (!/^(10|[0-9])$/.test(score)) batch += fail(columns.score, `${columns.score} "${score}" is not a whole number from 0 to 10`);
    else if (!respondedAt.ok || respondedAt.value === null) {
      batch += fail(columns.respondedAt, respondedAt.ok ? `${columns.respondedAt} is empty` : respondedAt.message);
    } else {
      const comment = item.values[columns.comment] ?? '';
      batch += copyLine([line, value(columns.contact), value(columns.account) || null, Number(score), comment === '' ? null : comment, String(respondedAt.value), null, null]);
    }
    if (batch.length > 65536) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
}
