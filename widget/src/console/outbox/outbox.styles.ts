import { css } from 'lit';

export const styles = css`
  article {
    border: 1px solid var(--bw-border);
    border-radius: 6px;
    padding: 1rem;
    margin: 0 0 1.5rem;
  }
  article h2 {
    margin: 0 0 0.5rem;
    font-size: 1.15rem;
  }
  article h2:focus {
    outline: none;
  }
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 0.15rem 1rem;
    margin: 0 0 0.75rem;
  }
  dt {
    font-weight: 600;
  }
  dd {
    margin: 0;
  }
  iframe {
    width: 100%;
    height: 28rem;
    border: 1px solid var(--bw-border);
    background: #fff;
  }
  pre {
    white-space: pre-wrap;
    background: var(--bw-surface);
    padding: 0.75rem;
  }
  .links li {
    overflow-wrap: anywhere;
  }
`;
