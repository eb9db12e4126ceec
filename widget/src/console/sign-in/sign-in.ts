import { SignInElement } from './sign-in.component.ts';

customElements.define('bw-sign-in', SignInElement);

declare global {
  interface HTMLElementTagNameMap {
    'bw-sign-in': SignInElement;
  }
}
