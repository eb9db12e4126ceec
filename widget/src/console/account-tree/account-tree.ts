import { AccountTreeElement } from './account-tree.component.ts';

customElements.define('bw-account-tree', AccountTreeElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-account-tree': AccountTreeElement;
  }
}
