/*
 * The part of SOQL the stand-in answers: `SELECT fields | COUNT() | COUNT(f) alias, MAX(f) alias FROM Object [USING SCOPE s]
 * [WHERE condition] [ORDER BY ...] [LIMIT n]`, where a condition compares fields (relationship paths
 * included) with literals by =, !=, <, <=, >, >=, LIKE and IN, joined by AND, OR, NOT and parentheses.
 * Errors carry Salesforce's codes (MALFORMED_QUERY), so the client meets the real failure shapes.
 */

export type Literal = string | number | boolean | null | { datetime: number };
export type Condition =
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; inner: Condition }
  | { kind: 'compare'; field: string; op: string; value: Literal }
  | { kind: 'in'; field: string; values: Literal[]; negated: boolean };

/** An aggregate function of the select list (`COUNT(Id) n`); a query with any selects 'count' and answers one AggregateResult. */
export type Aggregate = { fn: 'COUNT' | 'MAX'; field: string; alias: string };

export type Soql = { select: string[] | 'count'; aggregates: Aggregate[]; object: string; where: Condition | null; limit: number | null };

export class SoqlError extends Error {
  readonly errorCode: string;
  constructor(errorCode: string, message: string) {
    super(message);
    this.errorCode = errorCode;
  }
}

const tokenPattern = /\s*(?:('(?:\\.|[^'\\])*')|(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))|(-?\d+(?:\.\d+)?)|(!=|<=|>=|<>|[=<>(),])|([A-Za-z_][\w.]*))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  tokenPattern.lastIndex = 0;
  while (tokenPattern.lastIndex < text.trimEnd().length) {
    const at = tokenPattern.lastIndex;
    const match = tokenPattern.exec(text);
    if (!match) throw new SoqlError('MALFORMED_QUERY', `unexpected token at position ${at}: ${text.slice(at, at + 20)}`);
    tokens.push(match[0].trim());
  }
  return tokens;
}

export function parseSoql(text: string): Soql {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const upper = () => tokens[i]?.toUpperCase();
  const expect = (word: string) => {
    if (upper() !== word) throw new SoqlError('MALFORMED_QUERY', `expecting '${word}', found '${tokens[i] ?? 'end of query'}'`);
    i++;
  };
  expect('SELECT');
  let select: string[] | 'count';
  const aggregates: Aggregate[] = [];
  if (upper() === 'COUNT' && tokens[i + 1] === '(' && tokens[i + 2] === ')') {
    select = 'count';
    i += 3;
  } else if ((upper() === 'COUNT' || upper() === 'MAX') && tokens[i + 1] === '(') {
    select = 'count';
    do {
      if (peek() === ',') i++;
      const fn = upper();
      if ((fn !== 'COUNT' && fn !== 'MAX') || tokens[i + 1] !== '(' || tokens[i + 3] !== ')') throw new SoqlError('MALFORMED_QUERY', `unexpected token in the select list: '${tokens[i]}'`);
      const field = tokens[i + 2]!;
      i += 4;
      const alias = upper() !== 'FROM' && peek() !== ',' ? tokens[i++]! : `expr${aggregates.length}`;
      aggregates.push({ fn, field, alias });
    } while (peek() === ',');
  } else {
    select = [];
    do {
      if (peek() === ',') i++;
      const field = tokens[i++];
      if (!field || !/^[A-Za-z_]/.test(field)) throw new SoqlError('MALFORMED_QUERY', `unexpected token in the select list: '${field}'`);
      select.push(field);
    } while (peek() === ',');
  }
  expect('FROM');
  const object = tokens[i++]!;
  if (upper() === 'USING') i += 3;
  let where: Condition | null = null;

  const literal = (): Literal => {
    const t = tokens[i++];
    if (t === undefined) throw new SoqlError('MALFORMED_QUERY', 'unexpected end of query');
    if (t.startsWith("'")) return t.slice(1, -1).replace(/\\(.)/g, '$1');
    if (/^\d{4}-\d{2}-\d{2}T/.test(t)) return { datetime: Date.parse(t.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) };
    if (/^-?\d/.test(t)) return Number(t);
    if (/^(true|false)$/i.test(t)) return t.toLowerCase() === 'true';
    if (/^null$/i.test(t)) return null;
    throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t}'`);
  };
  const primary = (): Condition => {
    if (peek() === '(') {
      i++;
      const inner = disjunction();
      if (tokens[i++] !== ')') throw new SoqlError('MALFORMED_QUERY', "expecting ')'");
      return inner;
    }
    if (upper() === 'NOT') {
      i++;
      return { kind: 'not', inner: primary() };
    }
    const field = tokens[i++]!;
    const negatedIn = upper() === 'NOT' && tokens[i + 1]?.toUpperCase() === 'IN';
    if (negatedIn) i++;
    if (upper() === 'IN') {
      i++;
      if (tokens[i++] !== '(') throw new SoqlError('MALFORMED_QUERY', "expecting '('");
      const values = [literal()];
      while (peek() === ',') {
        i++;
        values.push(literal());
      }
      if (tokens[i++] !== ')') throw new SoqlError('MALFORMED_QUERY', "expecting ')'");
      return { kind: 'in', field, values, negated: negatedIn };
    }
    const op = (tokens[i++] ?? '').toUpperCase();
    if (!['=', '!=', '<>', '<', '<=', '>', '>=', 'LIKE'].includes(op)) throw new SoqlError('MALFORMED_QUERY', `unexpected operator '${op}'`);
    return { kind: 'compare', field, op: op === '<>' ? '!=' : op, value: literal() };
  };
  const conjunction = (): Condition => {
    let left = primary();
    while (upper() === 'AND') {
      i++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  function disjunction(): Condition {
    let left = conjunction();
    while (upper() === 'OR') {
      i++;
      left = { kind: 'or', left, right: conjunction() };
    }
    return left;
  }
  if (upper() === 'WHERE') {
    i++;
    where = disjunction();
  }
  if (upper() === 'ORDER') {
    // The stand-in answers in insertion order; an ORDER BY is read and left aside.
    while (i < tokens.length && upper() !== 'LIMIT') i++;
  }
  let limit: number | null = null;
  if (upper() === 'LIMIT') {
    i++;
    limit = Number(tokens[i++]);
  }
  if (i < tokens.length) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${tokens[i]}'`);
  return { select, aggregates, object, where, limit };
}

/** The fields a condition reads, to check them against the object like Salesforce does. */
export function conditionFields(condition: Condition | null): string[] {
  if (!condition) return [];
  switch (condition.kind) {
    case 'and':
    case 'or':
      return [...conditionFields(condition.left), ...conditionFields(condition.right)];
    case 'not':
      return conditionFields(condition.inner);
    default:
      return [condition.field];
  }
}

type Value = string | number | boolean | null;

export function matches(condition: Condition | null, read: (field: string) => Value): boolean {
  if (!condition) return true;
  switch (condition.kind) {
    case 'and':
      return matches(condition.left, read) && matches(condition.right, read);
    case 'or':
      return matches(condition.left, read) || matches(condition.right, read);
    case 'not':
      return !matches(condition.inner, read);
    case 'in': {
      const value = read(condition.field);
      const found = condition.values.some((v) => equal(value, v));
      return condition.negated ? !found : found;
    }
    case 'compare': {
      const value = read(condition.field);
      const wanted = condition.value;
      if (condition.op === '=') return equal(value, wanted);
      if (condition.op === '!=') return !equal(value, wanted);
      if (condition.op === 'LIKE') {
        const pattern = new RegExp(`^${String(wanted).replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replaceAll('%', '.*').replaceAll('_', '.')}$`, 'i');
        return value !== null && pattern.test(String(value));
      }
      if (value === null || wanted === null) return false;
      const a = typeof value === 'string' && typeof wanted === 'object' ? Date.parse(value) : value;
      const b = typeof wanted === 'object' ? wanted.datetime : wanted;
      if (condition.op === '<') return a < b;
      if (condition.op === '<=') return a <= b;
      if (condition.op === '>') return a > b;
      return a >= b;
    }
  }
}

function equal(value: Value, wanted: Literal): boolean {
  if (wanted === null || value === null) return wanted === value;
  if (typeof wanted === 'object') return typeof value === 'string' && Date.parse(value) === wanted.datetime;
  // SOQL compares text case-insensitively.
  if (typeof wanted === 'string' && typeof value === 'string') return wanted.toLowerCase() === value.toLowerCase();
  return value === wanted;
}
