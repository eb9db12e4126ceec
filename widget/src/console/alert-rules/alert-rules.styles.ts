import { css } from 'lit';

// The rule form's groups of choices: each a fieldset whose boxes sit in a row.
export const styles = css`
  fieldset {
    border: 1px solid var(--bw-border);
    border-radius: 4px;
    padding: 0.5rem 0.75rem;
    margin: 0;
  }
  legend {
    font-weight: 600;
  }
  .choices {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25rem 1rem;
  }
  .choices label,
  label.check {
    display: flex;
    gap: 0.35rem;
    align-items: center;
    font-weight: 400;
  }
  textarea {
    font: inherit;
    padding: 0.35rem 0.5rem;
    border: 1px solid #6b7280;
    border-radius: 4px;
  }
  .hint {
    color: var(--bw-muted);
    font-weight: 400;
    margin: 0;
  }
  h2 {
    font-size: 1.15rem;
    margin: 1.5rem 0 0.5rem;
  }
  .secret {
    border: 1px solid var(--bw-ok);
    border-radius: 4px;
    padding: 0.5rem 0.75rem;
    overflow-wrap: anywhere;
  }
`;
