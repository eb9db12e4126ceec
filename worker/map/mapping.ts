import { AppError, ErrorCode } from '../../core/errors.ts';
import { headerShown, type RecordSource, type SourceKind, type Sources } from '../../core/records/source.ts';
import { AttributeType, type AttributeDefinition } from '../../core/directory/attributes.ts';
import { defaultFields, objectSource, type Fields, type MappingInput } from '../../core/directory/mapping-input.ts';
import {
  ClientRole,
  ManagementRole,
  type Skip,
  defaultClientRoleValues,
  defaultManagementRoleValues,
  roleKey,
} from '../../core/directory/roles.ts';

/** A mapping checked against the sources' columns: each object present is ready to map records. */
export type Mapping = {
  contacts: { fields: Fields<'contacts'>; extra: Readonly<Record<string, string>> } | null;
  accounts: { fields: Fields<'accounts'>; attributes: readonly (AttributeDefinition & { source: string })[] } | null;
  hierarchy: { fields: Fields<'hierarchy'> } | null;
  clientRoles: { fields: Fields<'clientRoles'> } & ValueMap<ClientRole> | null;
  managementRoles: { fields: Fields<'managementRoles'> } & ValueMap<ManagementRole> | null;
};

/** A value mapping ready to use: listed values (keyed by roleKey), and what any other value maps to (null: reported unmapped). */
export type ValueMap<R extends string> = { values: Readonly<Record<string, R | Skip>>; other: R | Skip | null };

/** The role (or SKIP) a source value maps to; null when it maps to none. */
export function mapValue<R extends string>(map: ValueMap<R>, value: string): R | Skip | null {
  return map.values[roleKey(value)] ?? map.other;
}

type ValueInput<R extends string> = { values?: Record<string, R | Skip> | undefined; otherValues?: R | Skip | undefined; builtInValues?: boolean | undefined } | undefined;

function valueMap<R extends string>(builtIn: Readonly<Record<string, R>>, given: ValueInput<R>): ValueMap<R> {
  const values: Record<string, R | Skip> = given?.builtInValues === false ? {} : { ...builtIn };
  for (const [value, role] of Object.entries(given?.values ?? {})) values[roleKey(value)] = role;
  return { values, other: given?.otherValues ?? null };
}

/**
 * Fills SPEC.md's default mapping in and checks it against the columns the sources have.
 * Every missing column is reported at once, naming the column, the field that needs it and the file.
 */
export function resolveMapping(input: MappingInput, sources: Sources): Mapping {
  const reads: { source: RecordSource; column: string; usedBy: string }[] = [];
  const fields = <O extends keyof typeof defaultFields>(object: O, given: Record<string, string | undefined> | undefined) => {
    const source = sources[objectSource[object]];
    const resolved = { ...defaultFields[object], ...stripUndefined(given) } as Fields<O>;
    if (source) for (const [field, column] of Object.entries(resolved) as [string, string][]) reads.push({ source, column, usedBy: `${object}.${field}` });
    return resolved;
  };
  const columnOf = (kind: SourceKind, column: string, usedBy: string) => {
    const source = sources[kind];
    if (source) reads.push({ source, column, usedBy });
    return column;
  };

  const enabled = <T>(kind: SourceKind, setting: false | T | undefined) => (sources[kind] && setting !== false ? true : false);
  const hierarchyInput = input.hierarchy === false ? undefined : input.hierarchy;
  const clientInput = input.clientRoles === false ? undefined : input.clientRoles;
  const managementInput = input.managementRoles === false ? undefined : input.managementRoles;

  const mapping: Mapping = {
    contacts: sources.contacts
      ? {
          fields: fields('contacts', input.contacts?.fields),
          extra: Object.fromEntries(
            byName(input.contacts?.extra ?? {}).map(([name, column]) => [name, columnOf('contacts', column, `contacts.extra.${name}`)]),
          ),
        }
      : null,
    accounts: sources.accounts
      ? {
          fields: fields('accounts', input.accounts?.fields),
          attributes: byName(input.accounts?.attributes ?? {}).map(([name, a]) => ({
            name,
            type: a.type,
            source: columnOf('accounts', a.source, `accounts.attributes.${name}`),
            ...(a.values ? { values: a.values } : {}),
          })),
        }
      : null,
    hierarchy: enabled('accounts', input.hierarchy) ? { fields: fields('hierarchy', hierarchyInput?.fields) } : null,
    clientRoles: enabled('contacts', input.clientRoles)
      ? { fields: fields('clientRoles', clientInput?.fields), ...valueMap(defaultClientRoleValues, clientInput) }
      : null,
    managementRoles: enabled('teamMembers', input.managementRoles)
      ? {
          fields: fields('managementRoles', managementInput?.fields),
          ...valueMap(defaultManagementRoleValues, managementInput),
        }
      : null,
  };
  const problems = reads
    .filter(({ source, column }) => !source.columns.includes(column))
    .map(({ source, column, usedBy }) => `${source.name}: missing column "${column}" (mapped to ${usedBy}); ${headerShown(source.columns, reads.filter((r) => r.source === source).map((r) => r.column))}`);
  if (problems.length > 0) throw new AppError(ErrorCode.SOURCE_COLUMN_MISSING, [...new Set(problems)].join('\n'));
  return mapping;
}

/**
 * Named entries in name order: a record's hash covers its attributes in this order, so the same
 * mapping hashes the same however its keys were ordered (a workflow's JSONB reorders them).
 */
function byName<V>(record: Readonly<Record<string, V>>): [string, V][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function stripUndefined(record: Record<string, string | undefined> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(record ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
}
