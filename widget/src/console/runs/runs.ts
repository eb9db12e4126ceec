import { RunsElement } from './runs.component.ts';

customElements.define('bw-runs', RunsElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-runs': RunsElement;
  }
}
