import type { Tx } from '../../core/db.ts';
import type { Mapping } from '../map/mapping.ts';
import type { DirectoryObject } from '../map/row-error.ts';
import * as merge from './merge-queries.ts';

/**
 * Merges what the run staged into the directory, object by object, in the load's transaction:
 * accounts (with the hierarchy's checks), then contacts and their client roles, then account
 * teams, each after the checks that reject rows pointing at what the directory does not hold.
 * Answers what changed per object.
 */
export async function mergeDirectory(tx: Tx, directoryId: number, runId: number, mapping: Mapping): Promise<Partial<Record<DirectoryObject, merge.ObjectChanges>>> {
  const changes: Partial<Record<DirectoryObject, merge.ObjectChanges>> = {};
  if (mapping.accounts) {
    await merge.stageChangedAccounts(tx, directoryId);
    if (mapping.hierarchy) {
      const parentColumn = mapping.hierarchy.fields.accountParentExternalReferenceId;
      await merge.rejectUnknownParents(tx, directoryId, parentColumn);
      await merge.rejectCycles(tx, directoryId, parentColumn);
    }
    await merge.mergeAccounts(tx, directoryId, runId);
    await merge.removeRejectedAccounts(tx, directoryId, runId);
    await merge.detachFromGoneAccounts(tx, directoryId, runId);
    const counted = await merge.countAccountChanges(tx);
    changes.accounts = counted.accounts;
    if (mapping.hierarchy) changes.hierarchy = counted.hierarchy;
  }
  if (mapping.contacts) {
    if (mapping.clientRoles) await merge.dropUnknownClientAccounts(tx, directoryId, mapping.clientRoles.fields.accountExternalReferenceId);
    await merge.stageChangedContacts(tx, directoryId, mapping.clientRoles !== null);
    const counted = await merge.mergeContacts(tx, directoryId, runId);
    await merge.removeRejectedContacts(tx, directoryId, runId);
    changes.contacts = counted.contacts;
    if (mapping.clientRoles) changes.clientRoles = counted.clientRoles;
  }
  if (mapping.managementRoles) {
    await merge.rejectUnknownTeamAccounts(tx, directoryId, mapping.managementRoles.fields.accountExternalReferenceId);
    // An owner whose row is now rejected is no owner to keep when the file's owners are ranked.
    await merge.removeRejectedTeam(tx, directoryId, runId, 'stg_team');
    await merge.stageChangedTeam(tx, directoryId);
    await merge.rejectExtraOwners(tx, directoryId, mapping.managementRoles.fields.roleName);
    // Removed first: a role a losing owner row held makes room for the owner that wins.
    await merge.removeRejectedTeam(tx, directoryId, runId, 'chg_team');
    await merge.mergeManagementRoles(tx, directoryId, runId);
    changes.managementRoles = await merge.countTeamChanges(tx);
  }
  return changes;
}
