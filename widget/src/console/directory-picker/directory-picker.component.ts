import { LitElement, css, html, type TemplateResult } from 'lit';
import { Task } from '@lit/task';
import type { Directory } from '../../../../core/directory/directories.ts';
import { api, type Wire } from '../api.ts';
import { currentDirectory } from '../directory-scope.ts';
import { navigate } from '../routes.ts';
import { shared } from '../shared.styles.ts';
import { failure, loading } from '../states.ts';

/**
 * The directory the Directory and Runs sections show, chosen from GET /api/directories. Choosing one
 * opens that section (`section`) in it; the choice travels in the address (`?directory=`), and the
 * sections' links carry it.
 *
 * @summary Which directory the Directory and Runs sections show.
 * @attr section - Where choosing a directory goes: `/directory` or `/runs`.
 */
export class DirectoryPickerElement extends LitElement {
  // In the console's dark header: the label takes the header's colour, the select keeps its own.
  static override styles = [shared, css`
    :host { color: inherit; }
    p { margin: 0; }
    label { display: flex; gap: 0.5rem; align-items: center; color: inherit; }
    select { color: #111827; background: #fff; }
  `];

  static override properties = { section: { type: String }, address: { type: String } };

  declare section: string;
  /** The page shown: the list is read again on every page, so a directory made or renamed in Settings shows at once. */
  declare address: string;

  constructor() {
    super();
    this.section = '/directory';
    this.address = '';
  }

  readonly #directories = new Task(this, {
    task: (_args, { signal }) => api<{ items: Wire<Directory>[] }>('/api/directories', { signal }),
    args: () => [this.address] as const,
  });

  #choose(event: Event): void {
    navigate(`${this.section}?directory=${(event.target as HTMLSelectElement).value}`);
  }

  override render(): TemplateResult | undefined {
    return this.#directories.render({
      pending: () => loading('directories'),
      error: (error) => failure(error, 'The directories could not be read'),
      complete: ({ items }) => {
        const chosen = currentDirectory() ?? String(items.find((d) => d.id === 1)?.id ?? items[0]?.id ?? '');
        return html`<p class="picker"><label>Directory
          <select @change=${(event: Event) => this.#choose(event)}>
            ${items.map((d) => html`<option value=${d.id} ?selected=${String(d.id) === chosen}>${d.name}</option>`)}
          </select></label></p>`;
      },
    });
  }
}
