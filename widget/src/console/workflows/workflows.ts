import { WorkflowsElement } from './workflows.component.ts';

customElements.define('bw-workflows', WorkflowsElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-workflows': WorkflowsElement;
  }
}
