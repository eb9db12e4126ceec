import { salesforceObjects, type DescribedField } from '../../../core/connections/salesforce-objects.ts';
import { decimalText } from '../../../core/directory/attributes.ts';
import { AppError, ErrorCode } from '../../../core/errors.ts';
import type { SourceItem, SourceKind } from '../../../core/records/source.ts';
import { parseStamp } from './query.ts';

/*
 * REST and Bulk API 2.0 write the same value differently: a currency of 100 is 100 in REST's JSON
 * and 100.0 in Bulk's CSV (1.0E7 from ten million on), a datetime ends +0000 in one and Z in the
 * other. Each field's texts are made one by its describe type, so a record read by either API
 * stores the same texts and hashes the same: switching between them, or a full resync, changes
 * nothing the org did not change.
 */

/** Turns one field's text as read into its one text. */
export type FieldText = (text: string) => string;

const numberText: FieldText = (text) => decimalText(text) ?? text;

const dateTimeText: FieldText = (text) => {
  const at = parseStamp(text);
  return Number.isNaN(at.getTime()) ? text : at.toISOString();
};

/** Describe types whose texts differ between the APIs; the rest (text, ids, booleans, dates, times) read alike. */
const byType: Readonly<Record<string, FieldText>> = {
  int: numberText,
  long: numberText,
  double: numberText,
  currency: numberText,
  percent: numberText,
  datetime: dateTimeText,
};

/** An object's describe, read once per run. */
export type Describe = (object: string) => Promise<readonly DescribedField[]>;

/**
 * The select list's fields whose texts need making one, each with how. A relationship path
 * (`Owner.Score__c`) is typed by its target object's describe, read only for paths the admin added:
 * the required ones are Ids and emails.
 */
export async function fieldTexts(kind: SourceKind, fields: readonly string[], described: readonly DescribedField[], describe: Describe): Promise<Map<string, FieldText>> {
  const { object, required } = salesforceObjects[kind];
  const requiredPaths = new Set<string>(required.map((f) => f.toLowerCase()));
  const texts = new Map<string, FieldText>();
  for (const field of fields) {
    const [head, rest] = field.split('.') as [string, string | undefined];
    let type: string | undefined;
    if (rest === undefined) {
      type = described.find((f) => f.name.toLowerCase() === head.toLowerCase())?.type;
    } else if (!requiredPaths.has(field.toLowerCase()) && rest.toLowerCase() !== 'id') {
      type = await relatedType(object, field, described, describe);
    }
    const text = type === undefined ? undefined : byType[type];
    if (text) texts.set(field, text);
  }
  return texts;
}

/** The type of the field a relationship path ends at, on the first object its lookup points to that has it. */
async function relatedType(object: string, path: string, described: readonly DescribedField[], describe: Describe): Promise<string> {
  const [head, rest] = path.split('.') as [string, string];
  const lookup = described.find((f) => f.relationshipName?.toLowerCase() === head.toLowerCase());
  for (const target of lookup?.referenceTo ?? []) {
    const found = (await describe(target)).find((f) => f.name.toLowerCase() === rest.toLowerCase());
    if (found) return found.type;
  }
  throw new AppError(ErrorCode.SALESFORCE_CONFIG_INVALID, `${object}: ${path}: ${lookup?.referenceTo.join(' or ') ?? head} has no field ${rest}`);
}

/** Records passed on with their fields' texts made one. */
export async function* sameTexts(records: AsyncGenerator<SourceItem>, texts: ReadonlyMap<string, FieldText>): AsyncGenerator<SourceItem> {
  if (texts.size === 0) return yield* records;
  for await (const item of records) {
    if (item.kind !== 'record') {
      yield item;
      continue;
    }
    const values = { ...item.values };
    for (const [field, text] of texts) if (values[field]) values[field] = text(values[field]);
    yield { ...item, values };
  }
}
