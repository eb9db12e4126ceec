import { css } from 'lit';

export const styles = css`
  .hint {
    color: var(--bw-muted);
  }
  ul.sending {
    list-style: none;
    padding: 0;
  }
  ul.sending li {
    padding: 0.2rem 0;
  }
  .name {
    font-weight: 600;
  }
  .busy {
    color: var(--bw-muted);
  }
`;
