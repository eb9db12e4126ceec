import { css } from 'lit';

export const styles = css`
  :host {
    display: grid;
    grid-template-columns: 13rem 1fr;
    grid-template-rows: auto 1fr;
    min-height: 100vh;
    font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    color: var(--bw-text);
  }
  header {
    grid-column: 1 / -1;
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 1rem;
    padding: 0.6rem 1.25rem;
    background: #111827;
    color: #f9fafb;
  }
  header .product {
    font-weight: 700;
    font-size: 1.1rem;
  }
  header .who {
    display: flex;
    gap: 0.75rem;
    align-items: center;
  }
  header button {
    background: transparent;
    color: #f9fafb;
    border-color: #f9fafb;
  }
  header button:focus-visible {
    outline-color: #f9fafb;
  }
  nav.sections {
    background: var(--bw-surface);
    padding: 1rem 0;
  }
  nav.sections ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  nav.sections a {
    display: block;
    padding: 0.45rem 1.25rem;
    text-decoration: none;
    color: var(--bw-text);
  }
  nav.sections a[aria-current='page'] {
    background: #fff;
    color: var(--bw-accent);
    font-weight: 700;
    border-left: 4px solid var(--bw-accent);
  }
  main {
    padding: 1.25rem 2rem 3rem;
    min-width: 0;
  }
  main.alone {
    grid-column: 1 / -1;
    max-width: 32rem;
    margin: 3rem auto;
  }
  h1 {
    font-size: 1.5rem;
    margin: 0 0 1rem;
  }
  h1:focus {
    outline: none;
  }
`;
