import { UploadsElement } from './uploads.component.ts';

customElements.define('bw-uploads', UploadsElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-uploads': UploadsElement;
  }
}
