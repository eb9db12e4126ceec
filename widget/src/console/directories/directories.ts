import { DirectoriesElement } from './directories.component.ts';

customElements.define('bw-directories', DirectoriesElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-directories': DirectoriesElement;
  }
}
