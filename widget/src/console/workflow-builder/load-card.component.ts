import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { defaultFields, objectSource } from '../../../../core/directory/default-fields.ts';
import { ClientRole, ManagementRole, SKIP, defaultClientRoleValues, defaultManagementRoleValues, roleKey } from '../../../../core/directory/roles.ts';
import type { AttributeType } from '../../../../core/directory/attributes.ts';
import type { WorkflowPreview } from '../../../../core/workflows/preview.ts';
import { api } from '../api.ts';
import { shared } from '../shared.styles.ts';
import { failure, loading } from '../states.ts';
import { builderStyles } from './builder.styles.ts';
import { fieldError, taskChange, type Draft, type FieldErrors, type LoadTask, type Mapping, type SourceKind, type Task } from './draft.ts';

type RoleObject = 'clientRoles' | 'managementRoles';
type Values = { state: 'loading' } | { state: 'failed'; error: unknown } | { state: 'ready'; values: { value: string; rows: number }[] };
type ValueMapping = { fields?: Record<string, string>; values?: Record<string, string>; otherValues?: string; builtInValues?: boolean };

const kinds: readonly SourceKind[] = ['accounts', 'contacts', 'teamMembers'];
const kindLabels: Record<SourceKind, string> = { accounts: 'Accounts', contacts: 'Contacts', teamMembers: 'Team members' };
const objectLabels: Record<keyof typeof defaultFields, string> = { accounts: 'Accounts', hierarchy: 'Hierarchy', contacts: 'Contacts', clientRoles: 'Client roles', managementRoles: 'Management roles' };
const attributeTypes: readonly AttributeType[] = ['String', 'Integer', 'Decimal', 'DateTime', 'Enum'];
const roles: Record<RoleObject, { label: string; field: string; names: readonly string[]; builtIn: Readonly<Record<string, string>> }> = {
  clientRoles: { label: 'Title → client role', field: 'Title', names: Object.values(ClientRole), builtIn: defaultClientRoleValues },
  managementRoles: { label: 'TeamMemberRole → management role', field: 'TeamMemberRole', names: Object.values(ManagementRole), builtIn: defaultManagementRoleValues },
};

/** The paths of the mapping's problems that show under the input they name. */
const shownAtInput = /^mapping\.(\w+\.fields|accounts\.attributes)\./;

/** A CSV cell, quoted when it must be. */
const cell = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

/** The rows of a small CSV (quoted fields, doubled quotes, commas and line breaks inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field), rows.push(row), (row = []), (field = '');
    } else field += c;
  }
  if (field !== '' || row.length) row.push(field), rows.push(row);
  return rows;
}

/**
 * A load into a directory: which extract task feeds each directory source, the field mapping
 * (SPEC's defaults filled in), extra account fields as custom attributes (their type is permanent),
 * the mailing list, and the value mappings of titles and team roles: the values the source holds,
 * read by a preview, each with a role picker (Skip leaves the row out), a default for the rest, and
 * CSV import and export.
 *
 * @summary The load card of the workflow builder.
 * @fires task-change - detail: the task as changed.
 */
export class LoadCardElement extends LitElement {
  static override styles = [shared, builderStyles];

  static override properties = {
    task: { attribute: false },
    draft: { attribute: false },
    directories: { attribute: false },
    errors: { attribute: false },
    values: { state: true },
  };

  declare task: LoadTask;
  /** The whole workflow as edited: the extracts a load may read, and what a preview of its values runs. */
  declare draft: Draft;
  declare directories: { id: number; name: string }[];
  declare errors: FieldErrors;
  declare values: Partial<Record<RoleObject, Values>>;

  constructor() {
    super();
    this.directories = [];
    this.errors = {};
    this.values = {};
  }

  get #id(): string {
    return this.task.name.replace(/\W/g, '-');
  }

  #change(task: LoadTask): void {
    this.dispatchEvent(taskChange(task as Task));
  }

  #mapping(object: keyof Mapping, part: unknown): void {
    const mapping: Record<string, unknown> = { ...this.task.mapping };
    if (part === undefined) delete mapping[object];
    else mapping[object] = part;
    this.#change({ ...this.task, mapping: mapping as Mapping });
  }

  #part(object: keyof typeof defaultFields): ValueMapping & { attributes?: Record<string, { source: string; type: AttributeType; values?: string[] }> } {
    const part = this.task.mapping?.[object];
    return part && typeof part === 'object' ? (part as ValueMapping) : {};
  }

  #extracts(kind: SourceKind): Task[] {
    const index = this.draft.tasks.findIndex((t) => t.name === this.task.name);
    return this.draft.tasks.slice(0, index < 0 ? undefined : index).filter((t) => t.type === 'extract' && t.object === kind);
  }

  #setExtract(kind: SourceKind, name: string): void {
    const extracts = { ...this.task.extracts };
    if (name) extracts[kind] = name;
    else delete extracts[kind];
    this.#change({ ...this.task, extracts });
  }

  #setField(object: keyof typeof defaultFields, field: string, column: string): void {
    const part = this.#part(object);
    const fields: Record<string, string> = { ...part.fields };
    const fallback = (defaultFields[object] as Record<string, string>)[field];
    if (!column.trim() || column.trim() === fallback) delete fields[field];
    else fields[field] = column.trim();
    const next: Record<string, unknown> = { ...part, fields };
    if (Object.keys(fields).length === 0) delete next.fields;
    this.#mapping(object, Object.keys(next).length ? next : undefined);
  }

  // Attributes are kept as rows while edited: a name is the key the mapping stores them under.
  #attributes(): [string, { source: string; type: AttributeType; values?: string[] }][] {
    return Object.entries(this.#part('accounts').attributes ?? {});
  }

  #setAttributes(rows: [string, { source: string; type: AttributeType; values?: string[] }][]): void {
    const accounts = { ...this.#part('accounts'), attributes: Object.fromEntries(rows) };
    if (rows.length === 0) delete (accounts as { attributes?: unknown }).attributes;
    this.#mapping('accounts', Object.keys(accounts).length ? accounts : undefined);
  }

  /** The extra fields an extract reads besides the required ones: what an attribute may take. */
  #extraFields(kind: SourceKind): string[] {
    const extract = this.draft.tasks.find((t) => t.name === this.task.extracts[kind]);
    return Array.isArray(extract?.fields) ? (extract.fields as string[]).filter((f) => !Object.values(defaultFields.accounts).includes(f as never) && f !== 'Parent.Id') : [];
  }

  /**
   * The values the source holds, read by a preview of the workflow up to this load with no value
   * mapping (every value then comes back unmapped, with its rows): nothing is written.
   */
  async #readValues(object: RoleObject): Promise<void> {
    this.values = { ...this.values, [object]: { state: 'loading' } };
    const index = this.draft.tasks.findIndex((t) => t.name === this.task.name);
    const mapping: Record<string, unknown> = { ...this.task.mapping };
    for (const o of ['clientRoles', 'managementRoles'] as const) {
      const { fields } = this.#part(o);
      if (mapping[o] !== false) mapping[o] = { ...(fields ? { fields } : {}), builtInValues: false };
    }
    const tasks = this.draft.tasks.slice(0, index).concat({ ...this.task, mapping } as Task);
    try {
      const preview = await api<WorkflowPreview>('/api/workflows/preview', { method: 'POST', body: { definition: { tasks } } });
      const load = preview.loads.find((l) => l.task === this.task.name);
      if (!load || load.state === 'failed') throw new Error(load?.error ? `${load.error.code}: ${load.error.message}` : 'the preview did not reach this load');
      this.values = { ...this.values, [object]: { state: 'ready', values: load.unmappedValues.filter((v) => v.object === object).map(({ value, rows }) => ({ value, rows })) } };
    } catch (error) {
      this.values = { ...this.values, [object]: { state: 'failed', error } };
    }
  }

  #setValue(object: RoleObject, value: string, role: string): void {
    const part = this.#part(object);
    const values = { ...part.values };
    if (role) values[value] = role;
    else delete values[value];
    this.#mapping(object, { ...part, values });
  }

  #setDefault(object: RoleObject, role: string): void {
    const part: ValueMapping = { ...this.#part(object), otherValues: role };
    if (!role) delete part.otherValues;
    this.#mapping(object, part);
  }

  /** Downloads the value mapping as `value,role` lines; `*` stands for the default role. */
  #exportCsv(object: RoleObject): void {
    const part = this.#part(object);
    const lines = [['value', 'role'], ...Object.entries(part.values ?? {}), ...(part.otherValues ? [['*', part.otherValues]] : [])];
    const url = URL.createObjectURL(new Blob([lines.map((l) => l.map(cell).join(',')).join('\r\n') + '\r\n'], { type: 'text/csv' }));
    const link = Object.assign(document.createElement('a'), { href: url, download: `${object}.csv` });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  async #importCsv(object: RoleObject, input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    if (!file) return;
    const rows = parseCsv(await file.text()).filter((r) => r.some((c) => c.trim()));
    const body = rows[0]?.[0]?.trim().toLowerCase() === 'value' ? rows.slice(1) : rows;
    const part = this.#part(object);
    const values = { ...part.values };
    let otherValues = part.otherValues;
    for (const [value = '', role = ''] of body) {
      const name = role.trim().toUpperCase().replaceAll(' ', '_');
      if (value === '*') otherValues = name;
      else values[value] = name;
    }
    input.value = '';
    this.#mapping(object, { ...part, values, ...(otherValues ? { otherValues } : {}) });
  }

  #roleOptions(object: RoleObject, selected: string | undefined, none: string): TemplateResult {
    return html`<option value="" ?selected=${!selected}>${none}</option>
      ${roles[object].names.map((r) => html`<option value=${r} ?selected=${selected === r}>${r}</option>`)}
      <option value=${SKIP} ?selected=${selected === SKIP}>Skip (leave the row out)</option>`;
  }

  #valueMapping(object: RoleObject): TemplateResult {
    const part = this.#part(object);
    const read = this.values[object];
    const known = read?.state === 'ready' ? read.values : [];
    const listed = [...known, ...Object.keys(part.values ?? {}).filter((v) => !known.some((k) => k.value === v)).map((value) => ({ value, rows: null }))];
    const id = `${this.#id}-${object}`;
    const { builtIn } = roles[object];
    return html`<fieldset class="card">
      <legend>Value mapping: ${roles[object].label}</legend>
      <div class="row">
        <button type="button" @click=${() => this.#readValues(object)}>Read the values from the source<span class="visually-hidden"> (${roles[object].field})</span></button>
        <label>Default role for values not listed<select @change=${(e: Event) => this.#setDefault(object, (e.target as HTMLSelectElement).value)}>
          ${this.#roleOptions(object, part.otherValues, 'None: a row error')}
        </select></label>
        <button type="button" @click=${() => this.#exportCsv(object)}>Export as CSV<span class="visually-hidden"> (${roles[object].label})</span></button>
        <label>Import CSV (value,role)<input type="file" accept=".csv,text/csv" @change=${(e: Event) => this.#importCsv(object, e.target as HTMLInputElement)}></label>
      </div>
      ${!read ? nothing : read.state === 'loading' ? loading('the values the source holds') : read.state === 'failed' ? failure(read.error, 'The values could not be read') : nothing}
      ${listed.length ? html`<table>
        <caption>${read?.state === 'ready' ? `The ${roles[object].field} values the source holds` : `Mapped ${roles[object].field} values`}</caption>
        <thead><tr><th scope="col">Value</th><th scope="col">Rows</th><th scope="col">Role</th></tr></thead>
        <tbody>${listed.map(({ value, rows }, i) => html`<tr>
          <th scope="row">${value === '' ? html`<em>(empty)</em>` : value}</th>
          <td>${rows ?? '—'}</td>
          <td><select aria-label="Role for ${value === '' ? '(empty)' : value}" @change=${(e: Event) => this.#setValue(object, value, (e.target as HTMLSelectElement).value)}>
            ${this.#roleOptions(object, part.values?.[value], builtIn[roleKey(value)] ? `Built in: ${builtIn[roleKey(value)]}` : part.otherValues ? `Default: ${part.otherValues}` : 'Unmapped: a row error')}
          </select></td></tr>`)}</tbody>
      </table>` : nothing}
      ${fieldError(this.errors, `mapping.${object}`, `${id}-error`)}
    </fieldset>`;
  }

  /** The mapping's problems no input of its own shows: a mapped field's and an attribute's show under them. */
  get #otherMappingErrors(): FieldErrors {
    return Object.fromEntries(Object.entries(this.errors).filter(([path]) => !shownAtInput.test(path)));
  }

  #fieldMapping(): TemplateResult {
    const fed = (Object.keys(defaultFields) as (keyof typeof defaultFields)[]).filter((o) => this.task.extracts[objectSource[o]]);
    // Open when the server refused one of its fields: the problem shows where it is.
    const refused = Object.keys(this.errors).some((path) => /^mapping\.\w+\.fields\./.test(path));
    return html`<details class="card" ?open=${refused}><summary>Field mapping (the defaults are filled in)</summary>
      ${fed.map((object) => html`<fieldset><legend>${objectLabels[object]}</legend><div class="row">
        ${Object.entries(defaultFields[object]).map(([field, fallback]) => {
          const id = `${this.#id}-${object}-${field}-error`;
          return html`<label>${field}<input .value=${this.#part(object).fields?.[field] ?? fallback} aria-describedby=${id}
            @change=${(e: Event) => this.#setField(object, field, (e.target as HTMLInputElement).value)}></label>
            ${fieldError(this.errors, `mapping.${object}.fields.${field}`, id)}`;
        })}
      </div></fieldset>`)}
      ${fieldError(this.#otherMappingErrors, 'mapping', `${this.#id}-mapping-error`)}
    </details>`;
  }

  #attributeRows(): TemplateResult {
    const rows = this.#attributes();
    const fields = this.#extraFields('accounts');
    const id = this.#id;
    const set = (i: number, name: string, value: { source: string; type: AttributeType; values?: string[] }) => {
      const next = rows.slice();
      next[i] = [name, value];
      this.#setAttributes(next);
    };
    return html`<fieldset class="card"><legend>Extra account fields as custom attributes</legend>
      <p class="hint warning" id="${id}-type-warning">An attribute's type is permanent: once a run has stored it, it can never change. Choose it with care.</p>
      <datalist id="${id}-account-fields">${fields.map((f) => html`<option value=${f}></option>`)}</datalist>
      ${rows.map(([name, a], i) => html`<div class="row">
        <label>Source field<input list="${id}-account-fields" .value=${a.source} aria-describedby="${id}-attribute-${i}-error" @change=${(e: Event) => set(i, name, { ...a, source: (e.target as HTMLInputElement).value.trim() })}></label>
        <label>Attribute name<input .value=${name} @change=${(e: Event) => set(i, (e.target as HTMLInputElement).value.trim(), a)}></label>
        <label>Type (permanent)<select aria-describedby="${id}-type-warning" @change=${(e: Event) => {
          const type = (e.target as HTMLSelectElement).value as AttributeType;
          const { values: _, ...rest } = a;
          set(i, name, type === 'Enum' ? { ...rest, type, values: a.values ?? [] } : { ...rest, type });
        }}>${attributeTypes.map((t) => html`<option ?selected=${a.type === t}>${t}</option>`)}</select></label>
        ${a.type === 'Enum' ? html`<label>Values (comma-separated)<input .value=${(a.values ?? []).join(', ')} @change=${(e: Event) => set(i, name, { ...a, values: (e.target as HTMLInputElement).value.split(',').map((v) => v.trim()).filter(Boolean) })}></label>` : nothing}
        <button type="button" class="danger" @click=${() => this.#setAttributes(rows.filter((_, j) => j !== i))}>Remove<span class="visually-hidden"> attribute ${name}</span></button>
      </div>${fieldError(this.errors, `mapping.accounts.attributes.${name}`, `${id}-attribute-${i}-error`)}`)}
      <button type="button" @click=${() => this.#setAttributes([...rows, [`attribute${rows.length + 1}`, { source: fields[rows.length] ?? '', type: 'String' }]])}>Add an attribute</button>
      ${fieldError(this.#otherMappingErrors, 'mapping.accounts', `${id}-attributes-error`)}
    </fieldset>`;
  }

  override render(): TemplateResult {
    const t = this.task;
    const id = this.#id;
    return html`<div class="row">
        <label>Directory<select @change=${(e: Event) => this.#change({ ...t, directoryId: Number((e.target as HTMLSelectElement).value) })}>
          ${this.directories.map((d) => html`<option value=${d.id} ?selected=${(t.directoryId ?? 1) === d.id}>${d.name}</option>`)}
        </select></label>
        ${kinds.map((kind) => html`<label>${kindLabels[kind]} from<select aria-describedby="${id}-${kind}-error" @change=${(e: Event) => this.#setExtract(kind, (e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${!t.extracts[kind]}>Not loaded</option>
          ${this.#extracts(kind).map((e) => html`<option ?selected=${t.extracts[kind] === e.name}>${e.name}</option>`)}
        </select></label>`)}
        <label>Mailing list (optional)<input .value=${t.mailingListName ?? ''} placeholder="Nightly contacts" aria-describedby="${id}-list-error"
          @change=${(e: Event) => {
            const { mailingListName: _, ...rest } = t;
            const name = (e.target as HTMLInputElement).value.trim();
            this.#change(name ? { ...rest, mailingListName: name } : rest);
          }}></label>
      </div>
      ${kinds.map((kind) => fieldError(this.errors, `extracts.${kind}`, `${id}-${kind}-error`))}
      ${fieldError(this.errors, 'extracts', `${id}-extracts-error`)}
      ${fieldError(this.errors, 'mailingListName', `${id}-list-error`)}
      ${this.#fieldMapping()}
      ${t.extracts.accounts ? this.#attributeRows() : nothing}
      ${t.extracts.contacts ? this.#valueMapping('clientRoles') : nothing}
      ${t.extracts.teamMembers ? this.#valueMapping('managementRoles') : nothing}`;
  }
}
