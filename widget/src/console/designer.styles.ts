import { css } from 'lit';

// The survey builder's and widget designer's layout: the form on the left, what it makes (the
// survey page, the widget) beside it, one under the other on a narrow screen.
export const designer = css`
  .designer {
    display: grid;
    grid-template-columns: minmax(20rem, 28rem) minmax(0, 1fr);
    gap: 1.5rem;
    align-items: start;
  }
  @media (max-width: 60rem) {
    .designer {
      grid-template-columns: 1fr;
    }
  }
  .preview {
    position: sticky;
    top: 0;
    min-width: 0;
  }
  .preview h2 {
    margin-top: 0;
  }
  .preview iframe {
    width: 100%;
    height: 40rem;
    border: 1px solid var(--bw-border);
    border-radius: 4px;
    background: #fff;
  }
  fieldset {
    border: 1px solid var(--bw-border);
    border-radius: 4px;
    padding: 0.75rem;
    margin: 0;
    display: grid;
    gap: 0.6rem;
  }
  legend {
    font-weight: 600;
    padding: 0 0.25rem;
  }
  ol.rows {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.6rem;
  }
  ol.rows > li {
    display: grid;
    gap: 0.4rem;
    padding: 0.5rem;
    background: var(--bw-surface);
    border-radius: 4px;
  }
  ol.rows > li > button {
    justify-self: start;
  }
  ul.languages {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.4rem;
  }
  ul.languages > li {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  ul.languages > li > span:first-child {
    flex: 1;
  }
  ul.languages > li[aria-current='true'] > span:first-child {
    font-weight: 600;
  }
  label.check {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    font-weight: 400;
  }
  textarea {
    font: inherit;
    width: 100%;
    padding: 0.35rem 0.5rem;
    border: 1px solid #6b7280;
    border-radius: 4px;
  }
  textarea.code {
    font-family: ui-monospace, monospace;
    font-size: 0.85rem;
    min-height: 5rem;
  }
  textarea:focus-visible {
    outline: 2px solid var(--bw-accent);
    outline-offset: 2px;
  }
  section {
    margin: 1.5rem 0;
  }
  .note {
    color: var(--bw-muted);
    font-size: 0.9rem;
    margin: 0;
  }
`;
