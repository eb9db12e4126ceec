import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { shared } from '../shared.styles.ts';
import { builderStyles } from './builder.styles.ts';
import { fieldError, taskChange, type FieldErrors, type Task } from './draft.ts';

/**
 * A task the builder has no form for (a kind added since, or a local file), edited as its JSON:
 * saved as written, and checked by the server like any other.
 *
 * @summary The JSON card of the workflow builder.
 * @fires task-change - detail: the task as changed, once its JSON parses to an object with a type and a name.
 */
export class JsonCardElement extends LitElement {
  static override styles = [shared, builderStyles];

  static override properties = { task: { attribute: false }, errors: { attribute: false }, problem: { state: true } };

  declare task: Task;
  declare errors: FieldErrors;
  declare problem: string | undefined;

  constructor() {
    super();
    this.errors = {};
    this.problem = undefined;
  }

  #edit(text: string): void {
    try {
      const task: unknown = JSON.parse(text);
      if (typeof task !== 'object' || task === null || Array.isArray(task) || typeof (task as Task).type !== 'string' || typeof (task as Task).name !== 'string') {
        this.problem = 'a task is a JSON object with a "type" and a "name"';
        return;
      }
      this.problem = undefined;
      this.dispatchEvent(taskChange(task as Task));
    } catch (error) {
      this.problem = `not valid JSON: ${(error as Error).message}`;
    }
  }

  override render(): TemplateResult {
    const id = this.task.name.replace(/\W/g, '-');
    const first = Object.entries(this.errors)[0];
    return html`<label>The task as JSON<textarea rows="8" aria-describedby="${id}-json-error" .value=${JSON.stringify(this.task, null, 2)} @change=${(e: Event) => this.#edit((e.target as HTMLTextAreaElement).value)}></textarea></label>
      ${this.problem ? html`<p class="error" id="${id}-json-error" role="alert">${this.problem}</p>` : first ? fieldError(this.errors, first[0], `${id}-json-error`) : nothing}`;
  }
}
