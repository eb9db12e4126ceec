// The account card's line chart, drawn as inline SVG from a Lit template: no chart library, so the
// bundle stays small. A period without a value (null) breaks the line rather than drawing zero.
import { svg, html, nothing, type TemplateResult } from 'lit';
import type { ChartPoint } from './api.ts';

const width = 240;
const height = 72;
const pad = { x: 4, top: 6, bottom: 6 };

/** The polyline segments between gaps, as SVG path data, plus the dot of every point that has a value. */
export function chartGeometry(points: ChartPoint[]): { path: string; dots: { x: number; y: number; point: ChartPoint }[]; min: number; max: number } {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  let min = values.length ? Math.min(...values) : 0;
  let max = values.length ? Math.max(...values) : 0;
  // A flat line sits in the middle rather than on an edge.
  if (min === max) {
    min -= 1;
    max += 1;
  }
  const step = points.length > 1 ? (width - 2 * pad.x) / (points.length - 1) : 0;
  const x = (i: number) => (points.length > 1 ? pad.x + i * step : width / 2);
  const y = (v: number) => pad.top + (1 - (v - min) / (max - min)) * (height - pad.top - pad.bottom);
  let path = '';
  let drawing = false;
  const dots: { x: number; y: number; point: ChartPoint }[] = [];
  points.forEach((point, i) => {
    if (point.value === null) {
      drawing = false;
      return;
    }
    const px = Math.round(x(i) * 10) / 10;
    const py = Math.round(y(point.value) * 10) / 10;
    path += `${drawing ? 'L' : 'M'}${px} ${py}`;
    drawing = true;
    dots.push({ x: px, y: py, point });
  });
  return { path, dots, min, max };
}

/** A chart a screen reader reads as one sentence listing every period's value. */
export function lineChart(label: string, points: ChartPoint[], format: (value: number) => string): TemplateResult {
  const { path, dots } = chartGeometry(points);
  const described = points.map((p) => `${p.label}: ${p.value === null ? 'no data' : format(p.value)}`).join(', ');
  const first = points[0];
  const last = points.at(-1);
  return html`<figure class="chart" part="chart">
    <figcaption class="chart-label">${label}</figcaption>
    <svg viewBox="0 0 ${width} ${height}" role="img" aria-label=${`${label}: ${described || 'no data'}`}>
      ${svg`<line class="baseline" x1="0" x2=${width} y1=${height - pad.bottom} y2=${height - pad.bottom}></line>`}
      ${path ? svg`<path class="line" part="chart-line" d=${path}></path>` : nothing}
      ${dots.map((d) => svg`<circle class="dot" cx=${d.x} cy=${d.y} r="2.5"><title>${d.point.label}: ${format(d.point.value!)}</title></circle>`)}
    </svg>
    ${first && last ? html`<div class="chart-axis" aria-hidden="true"><span>${first.label}</span><span>${last.label}</span></div>` : nothing}
  </figure>`;
}
