// The bundle's entry point: defines <strategic-accounts> once, so a page that loads the script twice
// (or a Salesforce page that loads it from a static resource next to a copy) does not throw.
import { StrategicAccountsElement } from './strategic-accounts.component.ts';

export { StrategicAccountsElement };

if (!customElements.get('strategic-accounts')) customElements.define('strategic-accounts', StrategicAccountsElement);

declare global {
  interface HTMLElementTagNameMap {
    'strategic-accounts': StrategicAccountsElement;
  }
}
