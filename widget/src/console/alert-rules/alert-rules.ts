import { AlertRulesElement } from './alert-rules.component.ts';

customElements.define('bw-alert-rules', AlertRulesElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-alert-rules': AlertRulesElement;
  }
}
