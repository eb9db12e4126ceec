// The sections that are lists of what a GET route answers (their builders are forms still to come).
import { html, type TemplateResult } from 'lit';
import type { Survey } from '../../../../core/surveys/queries.ts';
import type { WidgetConfig } from '../../../../core/widgets/config.ts';
import type { Wire } from '../api.ts';
import type { Column } from '../list/list.component.ts';
import { when } from '../states.ts';

const surveyColumns: Column<Wire<Survey>>[] = [
  { label: 'Name', cell: (s) => s.name },
  { label: 'Title', cell: (s) => s.title },
  { label: 'Extra questions', cell: (s) => String(s.extraQuestions.length) },
  { label: 'Updated', cell: (s) => when(s.updatedAt) },
];

export function surveysPage(): TemplateResult {
  return html`<bw-list source="/api/surveys" label="Surveys" noun="surveys" .columns=${surveyColumns}></bw-list>`;
}

const widgetColumns: Column<Wire<WidgetConfig>>[] = [
  { label: 'Name', cell: (w) => w.name },
  { label: 'Id', cell: (w) => String(w.id) },
  { label: 'Directory', cell: (w) => String(w.directoryId) },
  { label: 'Updated', cell: (w) => when(w.updatedAt) },
];

export function widgetsPage(): TemplateResult {
  return html`<bw-list source="/api/widget-configs" label="Widget configurations" noun="widget configurations" .columns=${widgetColumns}></bw-list>`;
}
