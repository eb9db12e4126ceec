import { OutboxElement } from './outbox.component.ts';

customElements.define('bw-outbox', OutboxElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-outbox': OutboxElement;
  }
}
