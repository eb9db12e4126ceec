import { css } from 'lit';

// What every console page shares: tables, forms, buttons, and the loading, empty and error states.
// Colours meet WCAG AA contrast on white (axe checks them in the browser tests).
export const shared = css`
  :host {
    display: block;
    --bw-text: #1f2937;
    --bw-muted: #4b5563;
    --bw-border: #d1d5db;
    --bw-surface: #f3f4f6;
    --bw-accent: #1d4ed8;
    --bw-danger: #b91c1c;
    --bw-ok: #047857;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  a {
    color: var(--bw-accent);
  }
  a:focus-visible,
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  iframe:focus-visible {
    outline: 2px solid var(--bw-accent);
    outline-offset: 2px;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-variant-numeric: tabular-nums;
  }
  caption {
    text-align: left;
    color: var(--bw-muted);
    padding: 0.25rem 0;
  }
  th,
  td {
    text-align: left;
    padding: 0.4rem 0.6rem;
    border-bottom: 1px solid var(--bw-border);
    vertical-align: top;
  }
  tr[aria-current='true'] {
    background: #eff6ff;
  }
  thead th {
    background: var(--bw-surface);
    font-weight: 600;
  }
  button {
    font: inherit;
    padding: 0.35rem 0.8rem;
    border: 1px solid var(--bw-accent);
    border-radius: 4px;
    background: #fff;
    color: var(--bw-accent);
    cursor: pointer;
  }
  button.primary {
    background: var(--bw-accent);
    color: #fff;
  }
  button.danger {
    border-color: var(--bw-danger);
    color: var(--bw-danger);
  }
  button:disabled {
    opacity: 0.6;
    cursor: default;
  }
  form.fields {
    display: grid;
    gap: 0.75rem;
    max-width: 28rem;
  }
  form.inline {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: end;
    margin: 0 0 1rem;
  }
  label {
    display: grid;
    gap: 0.25rem;
    font-weight: 600;
  }
  input,
  select {
    font: inherit;
    padding: 0.35rem 0.5rem;
    border: 1px solid #6b7280;
    border-radius: 4px;
    background: #fff;
    color: inherit;
  }
  /** A checkbox or radio with its words beside it, whether or not its label says it is a choice. */
  label.choice,
  label:has(> input[type='checkbox']),
  label:has(> input[type='radio']) {
    display: flex;
    gap: 0.4rem;
    align-items: center;
    font-weight: 400;
  }
  textarea {
    font: inherit;
    font-family: monospace;
    padding: 0.35rem 0.5rem;
    border: 1px solid #6b7280;
    border-radius: 4px;
  }
  .status {
    color: var(--bw-muted);
  }
  .error {
    color: var(--bw-danger);
    margin: 0.5rem 0;
  }
  .error code {
    font-weight: 600;
    margin-right: 0.4rem;
  }
  .done {
    color: var(--bw-ok);
  }
  .pager {
    display: flex;
    gap: 0.75rem;
    align-items: center;
    margin-top: 0.75rem;
  }
  .tabs {
    display: flex;
    gap: 1rem;
    margin: 0 0 1rem;
    padding: 0;
    list-style: none;
  }
  .tabs a[aria-current='page'] {
    font-weight: 700;
    text-decoration: none;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .actions {
    display: flex;
    gap: 0.5rem;
    flex-wrap: wrap;
    align-items: center;
  }
`;
