import { ConsoleElement } from './console.component.ts';

customElements.define('bw-console', ConsoleElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-console': ConsoleElement;
  }
}
