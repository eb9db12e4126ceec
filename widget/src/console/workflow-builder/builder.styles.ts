import { css } from 'lit';

// The workflow builder's cards: each task a bordered form, its fields in rows that wrap.
export const builderStyles = css`
  .card {
    border: 1px solid var(--bw-border);
    border-radius: 6px;
    padding: 0.75rem 1rem;
    margin: 0 0 1rem;
  }
  legend,
  .card h2,
  .card h3 {
    font-weight: 700;
    font-size: 1rem;
    margin: 0 0 0.5rem;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.75rem;
    align-items: end;
    margin: 0 0 0.5rem;
  }
  textarea {
    width: 100%;
    min-height: 6rem;
  }
  .fields {
    max-height: 18rem;
    overflow: auto;
    border: 1px solid var(--bw-border);
    padding: 0.5rem;
    display: grid;
    gap: 0.25rem;
  }
  .reason,
  .hint {
    color: var(--bw-muted);
    font-weight: 400;
    font-size: 0.9rem;
  }
  .warning {
    color: #92400e;
  }
  pre {
    background: var(--bw-surface);
    padding: 0.5rem;
    overflow: auto;
    max-height: 24rem;
  }
  .scroll {
    overflow: auto;
  }
`;
