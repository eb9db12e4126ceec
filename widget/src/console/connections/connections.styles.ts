import { css } from 'lit';

export const connectionStyles = css`
  fieldset {
    border: 1px solid #d1d5db;
    border-radius: 4px;
    display: flex;
    gap: 1rem;
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
