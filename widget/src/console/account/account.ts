import { AccountElement } from './account.component.ts';

customElements.define('bw-account', AccountElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-account': AccountElement;
  }
}
