import { z } from 'zod';
import { AppError, ErrorCode } from '../../core/errors.ts';
import type { RecordSource, Sources, SourceKind } from '../extract/source.ts';
import { AttributeType, type AttributeDefinition } from './attributes.ts';
import {
  ClientRole,
  ManagementRole,
  defaultClientRoleValues,
  defaultManagementRoleValues,
  roleKey,
} from './roles.ts';

/**
 * The source column behind each directory field, per directory object, as SPEC.md's defaults.
 * Every one of these columns must be in the source file unless the admin maps another.
 */
const defaultFields = {
  contacts: {
    contactExternalReferenceId: 'Id',
    firstName: 'FirstName',
    lastName: 'LastName',
    email: 'Email',
    isDeleted: 'IsDeleted',
  },
  accounts: { accountExternalReferenceId: 'Id', displayName: 'Name', isDeleted: 'IsDeleted' },
  hierarchy: { accountExternalReferenceId: 'Id', accountParentExternalReferenceId: 'Parent.Id', isDeleted: 'IsDeleted' },
  clientRoles: { accountExternalReferenceId: 'Account.Id', roleName: 'Title', isDeleted: 'IsDeleted' },
  managementRoles: {
    accountExternalReferenceId: 'Account.Id',
    userEmail: 'User.Email',
    roleName: 'TeamMemberRole',
    isDeleted: 'IsDeleted',
  },
} as const;

type Fields<O extends keyof typeof defaultFields> = { [F in keyof (typeof defaultFields)[O]]: string };

/** Which source feeds each directory object. */
const objectSource = {
  contacts: 'contacts',
  accounts: 'accounts',
  hierarchy: 'accounts',
  clientRoles: 'contacts',
  managementRoles: 'teamMembers',
} as const satisfies Record<keyof typeof defaultFields, SourceKind>;

const attributeName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'a letter, then letters, digits or _ (at most 63)');
const fieldsOf = <O extends keyof typeof defaultFields>(object: O) =>
  z.strictObject(Object.fromEntries(Object.keys(defaultFields[object]).map((f) => [f, z.string().min(1).optional()]))).optional();

const attributeSchema = z
  .strictObject({
    source: z.string().min(1),
    type: z.enum(Object.values(AttributeType)),
    values: z.array(z.string().min(1)).min(1).optional(),
  })
  .refine((a) => (a.type === 'Enum') === (a.values !== undefined), { message: 'values are required for Enum and only for Enum' });

/** A mapping file: every part optional; what is left out takes SPEC.md's defaults. */
export const mappingInputSchema = z.strictObject({
  contacts: z.strictObject({ fields: fieldsOf('contacts'), extra: z.record(attributeName, z.string().min(1)).optional() }).optional(),
  accounts: z.strictObject({ fields: fieldsOf('accounts'), attributes: z.record(attributeName, attributeSchema).optional() }).optional(),
  hierarchy: z.union([z.literal(false), z.strictObject({ fields: fieldsOf('hierarchy') })]).optional(),
  clientRoles: z
    .union([
      z.literal(false),
      z.strictObject({ fields: fieldsOf('clientRoles'), values: z.record(z.string(), z.enum(Object.values(ClientRole))).optional() }),
    ])
    .optional(),
  managementRoles: z
    .union([
      z.literal(false),
      z.strictObject({
        fields: fieldsOf('managementRoles'),
        values: z.record(z.string(), z.enum(Object.values(ManagementRole))).optional(),
      }),
    ])
    .optional(),
});
export type MappingInput = z.infer<typeof mappingInputSchema>;

/** A mapping checked against the sources' columns: each object present is ready to map records. */
export type Mapping = {
  contacts: { fields: Fields<'contacts'>; extra: Readonly<Record<string, string>> } | null;
  accounts: { fields: Fields<'accounts'>; attributes: readonly (AttributeDefinition & { source: string })[] } | null;
  hierarchy: { fields: Fields<'hierarchy'> } | null;
  clientRoles: { fields: Fields<'clientRoles'>; values: Readonly<Record<string, ClientRole>> } | null;
  managementRoles: { fields: Fields<'managementRoles'>; values: Readonly<Record<string, ManagementRole>> } | null;
};

/** Parses a mapping file's JSON, naming each invalid path. */
export function parseMappingInput(json: unknown, origin: string): MappingInput {
  const parsed = mappingInputSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new AppError(ErrorCode.MAPPING_INVALID, `mapping ${origin} is invalid: ${issues}`);
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
            Object.entries(input.contacts?.extra ?? {}).map(([name, column]) => [name, columnOf('contacts', column, `contacts.extra.${name}`)]),
          ),
        }
      : null,
    accounts: sources.accounts
      ? {
          fields: fields('accounts', input.accounts?.fields),
          attributes: Object.entries(input.accounts?.attributes ?? {}).map(([name, a]) => ({
            name,
            type: a.type,
            source: columnOf('accounts', a.source, `accounts.attributes.${name}`),
            ...(a.values ? { values: a.values } : {}),
          })),
        }
      : null,
    hierarchy: enabled('accounts', input.hierarchy) ? { fields: fields('hierarchy', hierarchyInput?.fields) } : null,
    clientRoles: enabled('contacts', input.clientRoles)
      ? { fields: fields('clientRoles', clientInput?.fields), values: valueMap(defaultClientRoleValues, clientInput?.values) }
      : null,
    managementRoles: enabled('teamMembers', input.managementRoles)
      ? {
          fields: fields('managementRoles', managementInput?.fields),
          values: valueMap(defaultManagementRoleValues, managementInput?.values),
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
 * The header's column names for an error, when it names one of the columns read: a file whose
 * first line names none of them may be no export at all (a key, a password file), and an error
 * must not carry its content to whoever reads the run.
 */
export function headerShown(columns: readonly string[], read: readonly string[]): string {
  if (!read.some((c) => columns.includes(c))) return 'the header names none of the columns read, so it is not shown';
  return `the header has: ${columns.join(', ')}`;
}

function valueMap<R extends string>(defaults: Readonly<Record<string, R>>, given: Record<string, R> | undefined): Record<string, R> {
  const values = { ...defaults };
  for (const [value, role] of Object.entries(given ?? {})) values[roleKey(value)] = role;
  return values;
}

function stripUndefined(record: Record<string, string | undefined> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(record ?? {}).filter((e): e is [string, string] => e[1] !== undefined));
}
