import { Decimal } from 'decimal.js';

export const AttributeType = {
  Integer: 'Integer',
  Decimal: 'Decimal',
  String: 'String',
  Enum: 'Enum',
  DateTime: 'DateTime',
} as const;
export type AttributeType = (typeof AttributeType)[keyof typeof AttributeType];

export type AttributeDefinition = { name: string; type: AttributeType; values?: readonly string[] };

/** A stored attribute value: Decimal, DateTime, String and Enum are strings (exact), Integer a safe integer. */
export type AttributeValue = string | number | null;

export type Coerced = { ok: true; value: AttributeValue } | { ok: false; message: string };

const decimalPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Turns a source text into the attribute's stored value; an empty text means "no value". */
export function coerceAttribute(definition: AttributeDefinition, raw: string): Coerced {
  const text = raw.trim();
  if (text === '') return { ok: true, value: null };
  switch (definition.type) {
    case 'String':
      return { ok: true, value: raw };
    case 'Integer': {
      // Salesforce writes a number field's 23 as 23.0 in its CSVs: a whole value is an Integer however it is spelled.
      const whole = decimalText(text);
      if (whole === null || whole.includes('.')) return fail(text, 'an Integer');
      const n = Number(whole);
      if (!Number.isSafeInteger(n)) return { ok: false, message: `value "${text}" is outside the Integer range (±${Number.MAX_SAFE_INTEGER})` };
      return { ok: true, value: n };
    }
    case 'Decimal': {
      const value = decimalText(text);
      return value === null ? fail(text, 'a Decimal') : { ok: true, value };
    }
    case 'Enum':
      if (!definition.values?.includes(text)) {
        return { ok: false, message: `value "${text}" is not one of ${definition.values?.map((v) => `"${v}"`).join(', ')}` };
      }
      return { ok: true, value: text };
    case 'DateTime':
      return coerceDateTime(text);
  }
}

/**
 * The one text of a decimal number, every digit kept (1.50, 1.5 and 15E-1 are 1.5; 1.0E7 is
 * 10000000), so a source that spells a value another way (a Bulk CSV, a REST number) changes
 * nothing; null when the text is not a number.
 */
export function decimalText(text: string): string | null {
  return decimalPattern.test(text) ? new Decimal(text).toFixed() : null;
}

function fail(text: string, what: string): Coerced {
  return { ok: false, message: `value "${text}" is not ${what}` };
}

/** ISO 8601 only: `Date.parse` accepts too much ("1 2 3") to be a validator. A time without offset is UTC. */
function coerceDateTime(text: string): Coerced {
  const m = dateTimePattern.exec(text);
  if (!m) return fail(text, 'an ISO 8601 DateTime (e.g. 2024-03-01T09:30:00Z)');
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${offset}`);
  const sameDay = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  const validCalendarDate = sameDay.getUTCMonth() === Number(mo) - 1 && sameDay.getUTCDate() === Number(d);
  if (Number.isNaN(date.getTime()) || !validCalendarDate || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return fail(text, 'a valid date and time');
  }
  return { ok: true, value: date.toISOString() };
}
