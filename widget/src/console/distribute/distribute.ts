import { DistributeElement } from './distribute.component.ts';

customElements.define('bw-distribute', DistributeElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-distribute': DistributeElement;
  }
}
