/*
 * The data of the Salesforce stand-in: objects described the way `sobjects/X/describe` answers
 * (compound fields with their components, lookups with their relationship names), records kept in
 * insertion order, soft deletes that only queryAll sees, list views, and a clock that stamps
 * SystemModstamp on every write.
 */

export type FieldType = 'id' | 'boolean' | 'string' | 'email' | 'reference' | 'datetime' | 'date' | 'picklist' | 'address' | 'textarea' | NumberType;

/** Number fields: a value is a JS number, or the text of a decimal with more digits than a double holds (a currency of 18). */
export type NumberType = 'int' | 'double' | 'currency' | 'percent';
export const numberTypes: readonly FieldType[] = ['int', 'double', 'currency', 'percent'];

export type FieldDescribe = {
  name: string;
  label: string;
  type: FieldType;
  custom: boolean;
  nillable: boolean;
  compoundFieldName: string | null;
  referenceTo: string[];
  relationshipName: string | null;
  /** Whether an update may set it: not Id, system stamps, compound fields or formulas. */
  updateable: boolean;
  /** A picklist's values; a restricted one takes no other. */
  picklistValues?: { value: string; label: string; active: boolean; defaultValue: boolean }[];
  restrictedPicklist?: boolean;
};

export type ObjectSchema = { name: string; label: string; keyPrefix: string; queryable: boolean; fields: FieldDescribe[] };

export type Value = string | number | boolean | null;
export type SfRecord = Record<string, Value>;

export type ListView = { id: string; object: string; developerName: string; label: string; where: string | null };

function field(name: string, type: FieldType, extra: Partial<FieldDescribe> = {}): FieldDescribe {
  return {
    name,
    label: name.replace(/__c$/, '').replace(/([a-z])([A-Z])/g, '$1 $2'),
    type,
    custom: name.endsWith('__c'),
    nillable: !['id', 'boolean'].includes(type) && name !== 'Name' && name !== 'LastName',
    compoundFieldName: null,
    referenceTo: [],
    relationshipName: null,
    updateable: !['Id', 'IsDeleted', 'SystemModstamp'].includes(name) && type !== 'address',
    ...extra,
  };
}

function address(prefix: string): FieldDescribe[] {
  const compoundFieldName = `${prefix}Address`;
  return [
    field(compoundFieldName, 'address'),
    ...['Street', 'City', 'State', 'PostalCode', 'Country'].map((part) => field(`${prefix}${part}`, part === 'Street' ? 'textarea' : 'string', { compoundFieldName })),
  ];
}

const common = [field('Id', 'id'), field('IsDeleted', 'boolean'), field('SystemModstamp', 'datetime')];

function standardSchemas(): ObjectSchema[] {
  return [
    {
      name: 'Account', label: 'Account', keyPrefix: '001', queryable: true,
      fields: [
        ...common, field('Name', 'string'), field('ParentId', 'reference', { referenceTo: ['Account'], relationshipName: 'Parent' }),
        field('Industry', 'picklist'), ...address('Billing'), ...address('Shipping'),
      ],
    },
    {
      name: 'Contact', label: 'Contact', keyPrefix: '003', queryable: true,
      fields: [
        ...common, field('Name', 'string'), field('FirstName', 'string', { compoundFieldName: 'Name' }), field('LastName', 'string', { compoundFieldName: 'Name' }),
        field('Title', 'string'), field('Email', 'email'), field('Department', 'string'),
        field('AccountId', 'reference', { referenceTo: ['Account'], relationshipName: 'Account' }), ...address('Mailing'),
      ],
    },
    {
      name: 'AccountTeamMember', label: 'Account Team Member', keyPrefix: '01M', queryable: true,
      fields: [
        ...common, field('AccountId', 'reference', { referenceTo: ['Account'], relationshipName: 'Account' }),
        field('UserId', 'reference', { referenceTo: ['User'], relationshipName: 'User' }), field('TeamMemberRole', 'picklist'),
      ],
    },
    {
      name: 'Task', label: 'Task', keyPrefix: '00T', queryable: true,
      fields: [
        ...common, field('Subject', 'string'), field('Description', 'textarea'), field('Status', 'picklist'), field('Priority', 'picklist'), field('ActivityDate', 'date'),
        field('WhoId', 'reference', { referenceTo: ['Contact'], relationshipName: 'Who' }), field('WhatId', 'reference', { referenceTo: ['Account'], relationshipName: 'What' }),
        field('OwnerId', 'reference', { referenceTo: ['User'], relationshipName: 'Owner' }),
      ],
    },
    // User has no IsDeleted: users are deactivated, never deleted.
    { name: 'User', label: 'User', keyPrefix: '005', queryable: true, fields: [field('Id', 'id'), field('Email', 'email'), field('Name', 'string'), field('SystemModstamp', 'datetime')] },
  ];
}

export class Org {
  readonly id = '00D5g000004StandIn';
  readonly schemas = new Map<string, ObjectSchema>(standardSchemas().map((s) => [s.name, s]));
  readonly records = new Map<string, Map<string, SfRecord>>([...this.schemas.keys()].map((name) => [name, new Map()]));
  readonly listViews: ListView[] = [];
  readonly validationRules: { object: string; rule: (record: SfRecord) => string | null; field: string | null }[] = [];
  /** SystemModstamp of the next write; each write moves it a second on. */
  clock = Date.parse('2026-01-01T00:00:00.000Z');
  private counter = 0;

  schema(object: string): ObjectSchema | undefined {
    for (const schema of this.schemas.values()) if (schema.name.toLowerCase() === object.toLowerCase()) return schema;
    return undefined;
  }

  /** Adds a custom field (name ending in __c) to an object's describe; `updateable: false` makes it read-only, as a formula field is. */
  addField(object: string, name: string, type: FieldType = 'string', extra: Partial<FieldDescribe> = {}): void {
    this.schema(object)!.fields.push(field(name, type, extra));
  }

  /**
   * A validation rule, as an admin writes one in Setup: it sees the record as the update would
   * leave it and answers its error message to refuse it (FIELD_CUSTOM_VALIDATION_EXCEPTION), or null.
   */
  addValidationRule(object: string, rule: (record: SfRecord) => string | null, field: string | null = null): void {
    this.validationRules.push({ object: this.schema(object)!.name, rule, field });
  }

  addListView(object: string, developerName: string, where: string | null): ListView {
    const view = { id: `00B5g00000${String(this.listViews.length + 1).padStart(5, '0')}AAA`, object, developerName, label: developerName.replaceAll('_', ' '), where };
    this.listViews.push(view);
    return view;
  }

  private stamp(): string {
    const at = new Date(this.clock).toISOString();
    this.clock += 1000;
    return at;
  }

  insert(object: string, values: SfRecord): string {
    const schema = this.schema(object)!;
    const id = `${schema.keyPrefix}5g${String(++this.counter).padStart(10, '0')}AAA`;
    const record: SfRecord = { Id: id, ...(schema.fields.some((f) => f.name === 'IsDeleted') ? { IsDeleted: false } : {}), ...values, SystemModstamp: this.stamp() };
    this.records.get(schema.name)!.set(id, record);
    return id;
  }

  /**
   * A record whose transaction committed `secondsLate` after it took its SystemModstamp: it appears
   * with a stamp older than records other clients may already have read.
   */
  insertLate(object: string, values: SfRecord, secondsLate: number): string {
    const id = this.insert(object, values);
    this.records.get(this.schema(object)!.name)!.get(id)!.SystemModstamp = new Date(this.clock - secondsLate * 1000).toISOString();
    return id;
  }

  update(object: string, id: string, values: SfRecord): void {
    const record = this.records.get(this.schema(object)!.name)!.get(id)!;
    Object.assign(record, values, { SystemModstamp: this.stamp() });
  }

  /** A soft delete, as to the recycle bin: the record stays for queryAll with IsDeleted = true. */
  delete(object: string, id: string): void {
    this.update(object, id, { IsDeleted: true });
  }

  /** A hard delete, or a purge from the recycle bin: even queryAll no longer returns the record. */
  purge(object: string, id: string): void {
    this.records.get(this.schema(object)!.name)!.delete(id);
  }

  /** A field's describe by name, or the field a relationship path (`Parent.Id`, `User.Email`) ends at. */
  resolve(object: string, path: string): { field: FieldDescribe; via: FieldDescribe | null } | null {
    const schema = this.schema(object);
    if (!schema) return null;
    const [head, rest] = path.split(/\.(.*)/s) as [string, string | undefined];
    if (rest === undefined) {
      const direct = schema.fields.find((f) => f.name.toLowerCase() === head.toLowerCase());
      return direct ? { field: direct, via: null } : null;
    }
    const lookup = schema.fields.find((f) => f.relationshipName?.toLowerCase() === head.toLowerCase());
    if (!lookup || rest.includes('.')) return null;
    const target = this.resolve(lookup.referenceTo[0]!, rest);
    return target ? { field: target.field, via: lookup } : null;
  }

  /** Reads a field or relationship path of a record; null where the lookup is empty. Resolved once, read many times. */
  reader(object: string, path: string): (record: SfRecord) => Value {
    const resolved = this.resolve(object, path)!;
    const name = resolved.field.name;
    if (!resolved.via) return (record) => record[name] ?? null;
    const lookup = resolved.via.name;
    const targets = this.records.get(resolved.via.referenceTo[0]!)!;
    return (record) => {
      const targetId = record[lookup];
      if (targetId === null || targetId === undefined) return null;
      if (name === 'Id') return targetId;
      return targets.get(String(targetId))?.[name] ?? null;
    };
  }
}
