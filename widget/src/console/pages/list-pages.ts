// The sections that are lists of what a GET route answers (their builders are forms still to come).
import { html, type TemplateResult } from 'lit';
import type { SftpConnection } from '../../../../core/connections/sftp.ts';
import type { SalesforceConnection } from '../../../../core/connections/salesforce.ts';
import type { Survey } from '../../../../core/surveys/queries.ts';
import type { WidgetConfig } from '../../../../server/widgets/config.ts';
import type { Wire } from '../api.ts';
import type { Column } from '../list/list.component.ts';
import { when } from '../states.ts';

const sftpColumns: Column<Wire<SftpConnection>>[] = [
  { label: 'Name', cell: (c) => c.name },
  { label: 'Server', cell: (c) => `${c.username}@${c.host}:${c.port}` },
  { label: 'Signs in with', cell: (c) => (c.auth === 'password' ? 'a password' : 'a private key') },
  { label: 'Host key', cell: (c) => html`<code>${c.hostKeyFingerprint}</code>` },
];

const salesforceColumns: Column<Wire<SalesforceConnection>>[] = [
  { label: 'Name', cell: (c) => c.name },
  { label: 'Org', cell: (c) => c.instanceUrl },
  { label: 'Login', cell: (c) => `${c.flow} flow${c.username ? `, ${c.username}` : ''}` },
  { label: 'Connected', cell: (c) => when(c.createdAt) },
];

export function connectionsPage(): TemplateResult {
  return html`<h2>SFTP servers</h2>
    <bw-list source="/api/sftp-connections" label="SFTP connections" noun="SFTP connections" .columns=${sftpColumns}></bw-list>
    <h2>Salesforce orgs</h2>
    <bw-list source="/api/salesforce-connections" label="Salesforce connections" noun="Salesforce connections" .columns=${salesforceColumns}></bw-list>`;
}

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
