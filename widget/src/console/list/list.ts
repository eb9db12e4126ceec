import { ListElement } from './list.component.ts';

customElements.define('bw-list', ListElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-list': ListElement;
  }
}
