import { DirectoryPickerElement } from './directory-picker.component.ts';

customElements.define('bw-directory-picker', DirectoryPickerElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-directory-picker': DirectoryPickerElement;
  }
}
