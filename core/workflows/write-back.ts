import { z } from 'zod';
import { writeBackFigures, type WriteBackFigure } from './write-back-figures.ts';

/*
 * The writeBack task: after a load, each account's figures as the widget computes them (NPS, its
 * change over the previous period, health, answers this period, last answer) are written into
 * Account fields of the org the admin maps. The fields are checked against the org's describe when
 * the workflow is saved, and again by each run.
 */

const accountField = z.string().regex(/^[A-Za-z]\w*$/, "an Account field's API name, e.g. NPS__c");

/** Which Account field holds each figure; at least one. */
export const writeBackFields = z.strictObject({
  nps: accountField.optional(),
  change: accountField.optional(),
  health: accountField.optional(),
  responses: accountField.optional(),
  lastAnswerAt: accountField.optional(),
});
export type WriteBackFields = z.infer<typeof writeBackFields>;

export const writeBackTask = z.strictObject({
  type: z.literal('writeBack'),
  name: z.string().trim().min(1).max(100),
  /** The load task whose directory's accounts are written back, after it ran. */
  load: z.string().trim().min(1).max(100),
  /** The org the accounts came from: the directory's account ids are its Account Ids. */
  connectionId: z.number().int().positive(),
  /** The widget configuration whose period, time zone, health rules and roll-up the figures follow. */
  widgetConfigId: z.number().int().positive(),
  fields: writeBackFields,
  /** One Salesforce Task per detractor answer, on the contact and the account, for the account's owner (ACCOUNT_OWNER). */
  detractorTasks: z
    .strictObject({
      /** Answers of this score or lower are detractors' (NPS: 0 to 6). */
      scoreAtMost: z.number().int().min(0).max(10).default(6),
      /** Only answers of the last this many days get a Task, so turning it on does not open one per old answer. */
      withinDays: z.number().int().min(1).max(365).default(7),
    })
    .optional(),
});
export type WriteBackTask = z.infer<typeof writeBackTask>;

/** A field as an object's describe answers it, as far as write-back reads it. */
export type DescribedWriteField = {
  name: string;
  type: string;
  updateable: boolean;
  length?: number;
  /** A restricted picklist takes only its own active values. */
  restrictedPicklist?: boolean;
  picklistValues?: { value: string; active: boolean }[];
};

/** The health names write-back writes. */
const healthValues = ['Opportunity', 'Neutral', 'At Risk', 'Not enough data'];

/** The longest health text ("Not enough data"): a shorter text field would cut it. */
const longestHealth = 15;

/**
 * The problems of a field mapping against the Account describe, each naming the figure's path and
 * the field: a field the object lacks, of a type that cannot hold the figure, or not updateable.
 */
export function writeBackFieldProblems(fields: WriteBackFields, described: readonly DescribedWriteField[]): { path: WriteBackFigure; message: string }[] {
  const byName = new Map(described.map((f) => [f.name.toLowerCase(), f]));
  const problems: { path: WriteBackFigure; message: string }[] = [];
  for (const [figure, name] of Object.entries(fields) as [WriteBackFigure, string | undefined][]) {
    if (name === undefined) continue;
    const rule = writeBackFigures[figure];
    const found = byName.get(name.toLowerCase());
    if (!found) problems.push({ path: figure, message: `Account has no field ${name}${name.endsWith('__c') ? '' : ' (custom fields end in __c)'}` });
    else if (!(rule.types as readonly string[]).includes(found.type)) {
      problems.push({ path: figure, message: `${found.name} is a ${found.type} field; ${rule.label} needs ${rule.kind} (${rule.types.join(', ')})` });
    } else if (!found.updateable) {
      problems.push({ path: figure, message: `${found.name} is not updateable (a formula or system field, or read-only for the connection's user)` });
    } else if (figure === 'health' && found.type === 'string' && found.length !== undefined && found.length < longestHealth) {
      problems.push({ path: figure, message: `${found.name} holds ${found.length} characters; health needs ${longestHealth} ("Not enough data")` });
    } else if (figure === 'health' && found.type === 'picklist' && found.restrictedPicklist) {
      const active = new Set((found.picklistValues ?? []).filter((v) => v.active).map((v) => v.value));
      const missing = healthValues.filter((v) => !active.has(v));
      if (missing.length > 0) problems.push({ path: figure, message: `${found.name} is a restricted picklist without the value${missing.length > 1 ? 's' : ''} ${missing.map((v) => `"${v}"`).join(', ')}: add ${missing.length > 1 ? 'them' : 'it'}, or unrestrict it` });
    }
  }
  return problems;
}

/** The figures a mapping names twice to one field: a field holds one figure. */
export function repeatedFields(fields: WriteBackFields): string[] {
  const names = Object.values(fields).map((f) => f!.toLowerCase());
  return [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
}
