import { WebhooksElement } from './webhooks.component.ts';

customElements.define('bw-webhooks', WebhooksElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-webhooks': WebhooksElement;
  }
}
