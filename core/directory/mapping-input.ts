import { z } from 'zod';
import { AppError, ErrorCode, describeIssues } from '../errors.ts';
import type { SourceKind } from '../records/source.ts';
import { AttributeType } from './attributes.ts';
import { ClientRole, ManagementRole, SKIP } from './roles.ts';

export { defaultFields, objectSource, type Fields } from './default-fields.ts';
import { defaultFields } from './default-fields.ts';

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

/**
 * A value mapping: `values` maps source values to roles (or SKIP) on top of the built-in ones,
 * which `builtInValues: false` leaves out whole; `otherValues` is the role (or SKIP) of any value
 * not listed, which otherwise is reported as unmapped.
 */
const valueMapping = <R extends string>(roles: readonly R[]) => {
  const value = z.enum([...roles, SKIP]);
  return { values: z.record(z.string(), value).optional(), otherValues: value.optional(), builtInValues: z.boolean().optional() };
};

/** A mapping file: every part optional; what is left out takes SPEC.md's defaults. */
export const mappingInputSchema = z.strictObject({
  contacts: z.strictObject({ fields: fieldsOf('contacts'), extra: z.record(attributeName, z.string().min(1)).optional() }).optional(),
  accounts: z.strictObject({ fields: fieldsOf('accounts'), attributes: z.record(attributeName, attributeSchema).optional() }).optional(),
  hierarchy: z.union([z.literal(false), z.strictObject({ fields: fieldsOf('hierarchy') })]).optional(),
  clientRoles: z
    .union([
      z.literal(false),
      z.strictObject({ fields: fieldsOf('clientRoles'), ...valueMapping(Object.values(ClientRole)) }),
    ])
    .optional(),
  managementRoles: z
    .union([
      z.literal(false),
      z.strictObject({
        fields: fieldsOf('managementRoles'),
        ...valueMapping(Object.values(ManagementRole)),
      }),
    ])
    .optional(),
});
export type MappingInput = z.infer<typeof mappingInputSchema>;

/** Parses a mapping file's JSON, naming each invalid path. */
export function parseMappingInput(json: unknown, origin: string): MappingInput {
  const parsed = mappingInputSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error, '(root)');
  throw new AppError(ErrorCode.MAPPING_INVALID, `mapping ${origin} is invalid: ${issues}`);
}
