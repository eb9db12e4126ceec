import { css } from 'lit';

// Every colour, font and radius comes from a custom property with a default, so a page themes the
// element without reaching into its shadow root; `::part` covers the rest. Nothing here leaks out.
export const styles = css`
  :host {
    --_text: var(--sa-color-text, #1f2937);
    --_muted: var(--sa-color-muted, #5b6472);
    --_bg: var(--sa-color-background, #ffffff);
    --_surface: var(--sa-color-surface, #f6f7f9);
    --_border: var(--sa-color-border, #d9dde3);
    --_accent: var(--sa-color-accent, #2557d6);
    --_positive: var(--sa-color-positive, #13795b);
    --_negative: var(--sa-color-negative, #b42318);
    --_neutral: var(--sa-color-neutral, #8a6d00);
    --_radius: var(--sa-radius, 6px);
    display: block;
    color: var(--_text);
    background: var(--_bg);
    font: var(--sa-font, 14px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    container-type: inline-size;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  button {
    font: inherit;
    color: inherit;
    cursor: pointer;
  }
  button:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem 1rem;
    align-items: center;
    justify-content: space-between;
    margin-bottom: 0.75rem;
  }
  .switchers {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
  input[type='search'] {
    font: inherit;
    color: inherit;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.3rem 0.6rem;
    min-width: 10rem;
  }
  input[type='search']:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 1px;
  }
  .title {
    margin: 0;
    font-size: 1.1em;
    font-weight: 600;
  }
  .range {
    color: var(--_muted);
    font-size: 0.9em;
  }
  .group {
    display: inline-flex;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    overflow: hidden;
  }
  .group button {
    border: 0;
    background: transparent;
    padding: 0.3rem 0.7rem;
  }
  .group button + button {
    border-left: 1px solid var(--_border);
  }
  .group button[aria-pressed='true'] {
    background: var(--_accent);
    color: var(--sa-color-on-accent, #ffffff);
  }
  .status {
    padding: 1.5rem;
    text-align: center;
    color: var(--_muted);
    background: var(--_surface);
    border-radius: var(--_radius);
  }
  .error {
    color: var(--_negative);
  }
  .error p {
    margin: 0 0 0.5rem;
  }
  .error button {
    border: 1px solid currentColor;
    border-radius: var(--_radius);
    background: transparent;
    padding: 0.2rem 0.6rem;
  }
  .table-wrap {
    overflow-x: auto;
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  caption {
    text-align: left;
    color: var(--_muted);
    padding-bottom: 0.25rem;
  }
  th,
  td {
    padding: 0.45rem 0.6rem;
    border-bottom: 1px solid var(--_border);
    text-align: left;
    white-space: nowrap;
  }
  th {
    font-weight: 600;
    background: var(--_surface);
  }
  th button {
    border: 0;
    background: transparent;
    padding: 0;
    font-weight: inherit;
  }
  th button::after {
    content: '';
    display: inline-block;
    width: 1em;
    text-align: right;
  }
  th[aria-sort='ascending'] button::after {
    content: '▲';
  }
  th[aria-sort='descending'] button::after {
    content: '▼';
  }
  .num {
    text-align: right;
    font-variant-numeric: tabular-nums;
  }
  .health {
    display: inline-block;
    padding: 0 0.5em;
    border-radius: 999px;
    font-size: 0.85em;
    border: 1px solid currentColor;
  }
  .health[data-health='Opportunity'],
  .up {
    color: var(--_positive);
  }
  .health[data-health='At Risk'],
  .down {
    color: var(--_negative);
  }
  .health[data-health='Neutral'] {
    color: var(--_neutral);
  }
  .health[data-health='Not enough data'] {
    color: var(--_muted);
  }
  .cards {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr));
    gap: 0.75rem;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .card {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.75rem;
    background: var(--_bg);
  }
  .card h3 {
    margin: 0 0 0.25rem;
    font-size: 1em;
    overflow-wrap: anywhere;
  }
  .metrics {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(4.5rem, 1fr));
    gap: 0.5rem;
    margin: 0.5rem 0;
  }
  .metric dt {
    color: var(--_muted);
    font-size: 0.8em;
  }
  .metric dd {
    margin: 0;
    overflow-wrap: anywhere;
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }
  .chart {
    margin: 0;
  }
  .chart-label,
  .chart-axis {
    color: var(--_muted);
    font-size: 0.8em;
  }
  .chart-axis {
    display: flex;
    justify-content: space-between;
  }
  svg {
    display: block;
    width: 100%;
    height: auto;
    overflow: visible;
  }
  .line {
    fill: none;
    stroke: var(--sa-chart-line, var(--_accent));
    stroke-width: 2;
    stroke-linejoin: round;
  }
  .dot {
    fill: var(--sa-chart-line, var(--_accent));
  }
  .baseline {
    stroke: var(--_border);
  }
  .pager {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    justify-content: flex-end;
    margin-top: 0.75rem;
  }
  .pager button {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: transparent;
    padding: 0.2rem 0.6rem;
  }
  .pager button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
