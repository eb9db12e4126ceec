import assert from 'node:assert/strict';
import { parseDefinition } from '../../core/workflows/queries.ts';

const definition = (accountFields: string[] | undefined, mapping: unknown) => ({
  tasks: [
    { type: 'extract', name: 'Accounts', object: 'accounts', source: 'salesforce', connectionId: 1, ...(accountFields ? { fields: accountFields } : {}) },
    { type: 'extract', name: 'Contacts', object: 'contacts', source: 'salesforce', connectionId: 1 },
    { type: 'load', name: 'Load', extracts: { accounts: 'Accounts', contacts: 'Contacts' }, mapping },
  ],
});

/** The save's refusal, or null when it saves. */
function refusal(input: unknown): string | null {
  try {
    parseDefinition(input);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('a load reading a Salesforce org', () => {
  it('refuses a mapping that names fields its extracts do not read, naming each field and the extract to add it to', () => {
    const mapping = {
      accounts: { fields: { displayName: 'Legal_Name__c' }, attributes: { tier: { source: 'Tier__c', type: 'String' } } },
      contacts: { extra: { department: 'Department' } },
    };
    assert.equal(
      refusal(definition(undefined, mapping)),
      'invalid workflow definition: ' +
        'tasks.2.mapping.accounts.fields.displayName: the Salesforce extract "Accounts" does not read Legal_Name__c: add it to that task\'s fields; ' +
        'tasks.2.mapping.accounts.attributes.tier.source: the Salesforce extract "Accounts" does not read Tier__c: add it to that task\'s fields; ' +
        'tasks.2.mapping.contacts.extra.department: the Salesforce extract "Contacts" does not read Department: add it to that task\'s fields',
    );
  });

  it('saves a mapping whose fields its extracts read, and the defaults with no fields listed', () => {
    const mapping = { accounts: { fields: { displayName: 'Legal_Name__c' }, attributes: { tier: { source: 'Tier__c', type: 'String' } } } };
    assert.deepEqual(
      [refusal(definition(['Id', 'IsDeleted', 'Name', 'Parent.Id', 'Legal_Name__c', 'Tier__c'], mapping)), refusal(definition(undefined, {}))],
      [null, null],
    );
  });
});
