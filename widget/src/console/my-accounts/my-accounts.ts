import { MyAccountsElement } from './my-accounts.component.ts';

customElements.define('bw-my-accounts', MyAccountsElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-my-accounts': MyAccountsElement;
  }
}
