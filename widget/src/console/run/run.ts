import { RunElement } from './run.component.ts';

customElements.define('bw-run', RunElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-run': RunElement;
  }
}
