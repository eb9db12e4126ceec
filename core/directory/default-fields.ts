// Which source column feeds each directory field by default, and which source feeds each directory
// object: no runtime import, so the console's workflow builder bundles it as it is.
import type { SourceKind } from '../records/source.ts';

/**
 * The source column behind each directory field, per directory object, as SPEC.md's defaults.
 * Every one of these columns must be in the source file unless the admin maps another.
 */
export const defaultFields = {
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

export type Fields<O extends keyof typeof defaultFields> = { [F in keyof (typeof defaultFields)[O]]: string };

/** Which source feeds each directory object. */
export const objectSource = {
  contacts: 'contacts',
  accounts: 'accounts',
  hierarchy: 'accounts',
  clientRoles: 'contacts',
  managementRoles: 'teamMembers',
} as const satisfies Record<keyof typeof defaultFields, SourceKind>;
