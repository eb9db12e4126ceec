import { JoinElement } from './join.component.ts';

customElements.define('bw-join', JoinElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-join': JoinElement;
  }
}
