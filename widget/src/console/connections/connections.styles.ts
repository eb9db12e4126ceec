import { css } from 'lit';

export const connectionStyles = css`
  fieldset {
    border: 1px solid #d1d5db;
    border-radius: 4px;
    display: flex;
    gap: 1rem;
  }
  label.choice {
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
  .finding {
    border-left: 3px solid var(--bw-accent);
    padding-left: 0.75rem;
  }
  section {
    margin-bottom: 2rem;
  }
  details {
    margin: 1rem 0;
  }
  dl.usage {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 0.1rem 0.75rem;
    margin: 0;
  }
  dl.usage dt {
    color: var(--bw-muted);
  }
  dl.usage dd {
    margin: 0;
  }
`;
