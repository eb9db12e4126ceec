import { ContactRulesElement } from './contact-rules.component.ts';

customElements.define('bw-contact-rules', ContactRulesElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-contact-rules': ContactRulesElement;
  }
}
