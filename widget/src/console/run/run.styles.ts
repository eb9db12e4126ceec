import { css } from 'lit';

export const styles = css`
  .progress {
    display: grid;
    gap: 0.25rem;
    max-width: 36rem;
    margin: 0 0 1rem;
  }
  progress {
    width: 100%;
    height: 1.1rem;
    accent-color: var(--bw-accent);
  }
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 0.25rem 1rem;
    margin: 0 0 1rem;
  }
  dt {
    font-weight: 600;
  }
  dd {
    margin: 0;
  }
  section {
    margin: 1.5rem 0;
  }
  /* Long values (file paths, record ids, messages) wrap; what still does not fit scrolls in its own box, never the page. */
  .scroll {
    max-width: 100%;
    overflow-x: auto;
  }
  table.errors td {
    overflow-wrap: anywhere;
    min-width: 5rem;
  }
`;
