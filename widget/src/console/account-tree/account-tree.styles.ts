import { css } from 'lit';

export const styles = css`
  [role='tree'],
  [role='group'] {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  [role='group'] {
    padding-left: 1.25rem;
  }
  [role='treeitem'] {
    outline: none;
  }
  [role='treeitem']:focus-visible > .row,
  [role='treeitem'].more:focus-visible {
    outline: 2px solid var(--bw-accent);
    outline-offset: 1px;
  }
  .row,
  .more {
    display: flex;
    gap: 0.5rem;
    align-items: baseline;
    padding: 0.2rem 0.25rem;
    cursor: default;
  }
  .more {
    color: var(--bw-accent);
    cursor: pointer;
    padding-left: 1.5rem;
  }
  .toggle {
    display: inline-block;
    width: 1rem;
    text-align: center;
    cursor: pointer;
  }
  [aria-expanded='false'] > .row > .toggle::before {
    content: '▸';
  }
  [aria-expanded='true'] > .row > .toggle::before {
    content: '▾';
  }
  [aria-busy='true'] > .row > .toggle::before {
    content: '…';
  }
  .name {
    color: var(--bw-accent);
    text-decoration: underline;
    cursor: pointer;
  }
  .id {
    color: var(--bw-muted);
    font-size: 0.875em;
  }
`;
