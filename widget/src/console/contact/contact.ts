import { ContactElement } from './contact.component.ts';

customElements.define('bw-contact', ContactElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-contact': ContactElement;
  }
}
