import { PeopleElement } from './people.component.ts';

customElements.define('bw-people', PeopleElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-people': PeopleElement;
  }
}
