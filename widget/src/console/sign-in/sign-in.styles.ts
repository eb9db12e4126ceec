import { css } from 'lit';

export const styles = css`
  p.other {
    margin-top: 1.25rem;
    padding-top: 1rem;
    border-top: 1px solid var(--bw-border);
    max-width: 28rem;
  }
  /* A link that looks like the form's other button: it leaves for Salesforce's login page. */
  a.button {
    display: inline-block;
    padding: 0.35rem 0.8rem;
    border: 1px solid var(--bw-accent);
    border-radius: 4px;
    text-decoration: none;
  }
`;
