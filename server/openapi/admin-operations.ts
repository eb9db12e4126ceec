import { z } from 'zod';
import { authorizationInput, salesforceConnectionSchema, salesforceHeadlessInput, salesforceRenameInput } from '../../core/connections/salesforce.ts';
import { sftpConnectionInput, sftpConnectionPatch, sftpConnectionSchema, sftpFolderQuery, sftpFolderSchema, sftpPreviewQuery, sftpPreviewSchema, sftpTestRequest, sftpTestResult } from '../../core/connections/sftp.ts';
import { salesforceUsageSchema } from '../../core/connections/salesforce-usage.ts';
import { outboxMessageSchema } from '../../core/outbox.ts';
import { pageSchema } from '../../core/page.ts';
import { rowErrorSchema, runSummarySchema, uploadReadSchema, writeBackReportSchema } from '../../core/runs/queries.ts';
import { distributionSummarySchema, recipientProblemSchema, recipientSchema } from '../../core/surveys/distributions.ts';
import { answerSchema } from '../../core/surveys/answers.ts';
import { manualDistributionInput } from '../../core/surveys/manual-distribution.ts';
import { responseImportSchema, responseMappingSchema } from '../../core/surveys/import-responses.ts';
import { surveyInputSchema, surveySchema } from '../../core/surveys/queries.ts';
import { storedResponseSchema } from '../../core/surveys/responses.ts';
import { workflowDefinitionSchema } from '../../core/workflows/definition.ts';
import { workflowSchema, workflowVersionSchema } from '../../core/workflows/queries.ts';
import { workflowPreviewSchema } from '../../core/workflows/preview.ts';
import { uploadPreviewQuery, uploadPreviewSchema } from '../../core/uploads/preview-upload.ts';
import { listViewSchema, objectDescribeSchema } from '../../core/connections/salesforce-describe.ts';
import { uploadSchema } from '../../core/uploads/queries.ts';
import { directoryInput, directorySchema, removalCountsSchema } from '../../core/directory/directories.ts';
import { contactRulesInput, contactRulesSchema } from '../../core/surveys/contact-rules.ts';
import { directoryAnswerSchema } from '../directory/answers.ts';
import { attributeDefinitionSchema } from '../directory/attribute-definitions.ts';
import { contactDetailSchema } from '../directory/contact.ts';
import { mailingListMemberSchema, mailingListSchema } from '../directory/mailing-lists.ts';
import { accountDetailSchema, accountListItemSchema, cappedPageSchema, contactListItemSchema } from '../directory/queries.ts';
import { accountsQuery, directoryQuery, listQuery, pageQuery, runErrorsQuery, runsQuery } from '../query-params.ts';
import { answersQuery, previewLanguageQuery, previewQuery, distributionsQuery, postedResponse, postedResponses, recipientsQuery, uploadImport } from '../surveys/routes.ts';
import { allowedOriginSchema, originInput } from '../widgets/allowed-origins.ts';
import { widgetDataSchema, widgetQuery } from '../widgets/strategic-accounts.ts';
import { widgetConfigInput, widgetConfigSchema } from '../../core/widgets/config.ts';
import { issuedTokenSchema, signingKeySchema } from '../widgets/embed-tokens.ts';
import { tokenRequest } from '../widgets/routes.ts';
import { alertRuleFields, alertRuleSchema } from '../../core/alerts/rules.ts';
import { createdWebhookSchema, webhookChange, webhookDeliverySchema, webhookInput, webhookSchema } from '../../core/webhooks/webhooks.ts';
import type { Operation } from './operation.ts';

const json = (description: string, schema: z.ZodType) => ({ description, schema });
const listOf = (item: z.ZodType) => z.object({ items: z.array(item) });
const noContent = { description: 'done, nothing to show' };

/** What removing a connection answers: its id and the workflows the removal broke. */
const removal = z.object({ deleted: z.number().int(), brokenWorkflows: z.array(z.object({ id: z.number().int(), name: z.string() })) });
const removalQuery = z.object({ force: z.enum(['true', 'false']).optional().describe('true removes the connection even while workflows read from it') });

// The routes check a workflow's name themselves; its definition is the schema's.
const workflowInput = z.object({ name: z.string().min(1), definition: workflowDefinitionSchema });
const workflowChange = z.object({ name: z.string().min(1), definition: workflowDefinitionSchema, enabled: z.boolean() }).partial();
/** nextRunAt: when the workflow's schedule next starts a run, on its time zone's clock; null when it is disabled or runs on demand only. */
const scheduledWorkflowSchema = workflowSchema.extend({ nextRunAt: z.date().nullable() });

const admin = { auth: 'admin' } as const;

/** A survey preview that would not save: a page saying why (a bad query or body is the usual JSON error). */
const surveyRefused = { description: 'a page saying why the survey would not save (or that the query holds no survey, or that the survey has no `lang`)', contentType: 'text/html' };

/** The admin API under /api: everything but the health probe, the widget's data and this description needs the admin key. */
export const adminOperations: Operation[] = [
  {
    ...admin, method: 'get', path: '/api/accounts', tag: 'Directory', summary: 'A page of accounts, searched by name or id, sorted, or only the top of the hierarchy',
    query: accountsQuery, answers: { 200: json('the page', cappedPageSchema(accountListItemSchema)) }, errors: [400, 404],
  },
  { ...admin, method: 'get', path: '/api/accounts/{externalId}', tag: 'Directory', summary: 'One account with its parent, children, roles and NPS', query: directoryQuery, answers: { 200: json('the account', accountDetailSchema) }, errors: [400, 404] },
  {
    ...admin, method: 'get', path: '/api/accounts/{externalId}/children', tag: 'Directory', summary: "A page of an account's live children by name (expanding it in the hierarchy)",
    query: pageQuery, answers: { 200: json('the page', cappedPageSchema(accountListItemSchema)) }, errors: [400, 404],
  },
  {
    ...admin, method: 'get', path: '/api/accounts/{externalId}/answers', tag: 'Directory', summary: "A page of the answers naming an account, newest first",
    query: pageQuery, answers: { 200: json('the page', pageSchema(directoryAnswerSchema)) }, errors: [400, 404],
  },
  { ...admin, method: 'get', path: '/api/contacts', tag: 'Directory', summary: 'A page of contacts with their accounts and opt-outs', query: listQuery, answers: { 200: json('the page', cappedPageSchema(contactListItemSchema)) }, errors: [400, 404] },
  {
    ...admin, method: 'get', path: '/api/contacts/{externalId}', tag: 'Directory', summary: 'One contact with its account, opt-out, mailing lists, invitations and answers',
    query: directoryQuery, answers: { 200: json('the contact', contactDetailSchema) }, errors: [400, 404],
  },
  { ...admin, method: 'get', path: '/api/mailing-lists', tag: 'Directory', summary: "A directory's mailing lists with their sizes", query: directoryQuery, answers: { 200: json('the lists', listOf(mailingListSchema)) }, errors: [400, 404] },
  {
    ...admin, method: 'get', path: '/api/mailing-lists/{id}/members', tag: 'Directory', summary: "A page of a mailing list's members by contact id",
    query: pageQuery, answers: { 200: json('the page', pageSchema(mailingListMemberSchema).extend({ name: z.string() })) }, errors: [400, 404],
  },
  {
    ...admin, method: 'get', path: '/api/attribute-definitions', tag: 'Directory', summary: "A directory's custom account attributes with their types",
    query: directoryQuery, answers: { 200: json('the definitions', listOf(attributeDefinitionSchema)) }, errors: [400, 404],
  },

  { ...admin, method: 'get', path: '/api/directories', tag: 'Directory', summary: 'The directories with their live accounts and contacts', answers: { 200: json('the directories', listOf(directorySchema)) }, errors: [] },
  { ...admin, method: 'post', path: '/api/directories', tag: 'Directory', summary: 'Creates an empty directory', body: { 'application/json': directoryInput }, answers: { 201: json('created', directorySchema) }, errors: [400, 409] },
  {
    ...admin, method: 'get', path: '/api/directories/{id}', tag: 'Directory', summary: 'One directory, with what removing it would remove',
    answers: { 200: json('the directory', directorySchema.extend({ removes: removalCountsSchema })) }, errors: [404],
  },
  { ...admin, method: 'patch', path: '/api/directories/{id}', tag: 'Directory', summary: 'Renames a directory', body: { 'application/json': directoryInput }, answers: { 200: json('renamed', directorySchema) }, errors: [400, 404, 409] },
  {
    ...admin, method: 'delete', path: '/api/directories/{id}', tag: 'Directory', summary: 'Removes a directory and all it holds (after a load into it ends)',
    answers: { 200: json('removed', z.object({ deleted: z.number().int(), removed: removalCountsSchema })) }, errors: [404],
  },

  { ...admin, method: 'get', path: '/api/directories/{id}/contact-rules', tag: 'Directory', summary: "The directory's contact frequency rule (the default until one is saved)", answers: { 200: json('the rule', contactRulesSchema) }, errors: [404] },
  {
    ...admin, method: 'put', path: '/api/directories/{id}/contact-rules', tag: 'Directory', summary: 'Sets how many invitations one address may get per rolling period, of all surveys or of each',
    body: { 'application/json': contactRulesInput }, answers: { 200: json('saved', contactRulesSchema) }, errors: [400, 404],
  },

  { ...admin, method: 'get', path: '/api/runs', tag: 'Runs', summary: "A page of a directory's runs, newest first", query: runsQuery, answers: { 200: json('the page', pageSchema(runSummarySchema)) }, errors: [400, 404] },
  {
    ...admin, method: 'get', path: '/api/runs/{id}', tag: 'Runs', summary: 'One run with a page of its row errors, the uploaded files it read and its write-backs', query: runErrorsQuery,
    answers: { 200: json('the run', runSummarySchema.extend({ errors: pageSchema(rowErrorSchema), uploads: z.array(uploadReadSchema).optional().describe('for a run that read uploaded files'),
      writeBacks: z.array(writeBackReportSchema).optional().describe("for a run whose load a workflow's writeBack tasks followed") })) }, errors: [400, 404],
  },
  { ...admin, method: 'post', path: '/api/runs/{id}/cancel', tag: 'Runs', summary: 'Stops a running sync at its next checkpoint', answers: { 202: json('cancelling', z.object({ id: z.number().int(), cancelRequested: z.literal(true) })) }, errors: [404, 409] },
  { ...admin, method: 'get', path: '/api/runs/{id}/errors.csv', tag: 'Runs', summary: "Every row error of a run as CSV", answers: { 200: { description: 'the row errors', contentType: 'text/csv' } }, errors: [404] },
  {
    ...admin, method: 'get', path: '/api/runs/{id}/events', tag: 'Runs', summary: 'The run as it changes: server-sent `progress` events, then `end`',
    answers: { 200: { description: 'a stream of the run summary', contentType: 'text/event-stream' } }, errors: [404],
  },

  { ...admin, method: 'get', path: '/api/sftp-connections', tag: 'Connections', summary: 'The SFTP connections, without their secrets', answers: { 200: json('the connections', listOf(sftpConnectionSchema)) }, errors: [] },
  {
    ...admin, method: 'post', path: '/api/sftp-connections', tag: 'Connections', summary: 'Stores an SFTP connection, its secrets sealed, once it logged in with the host key trusted',
    body: { 'application/json': sftpConnectionInput }, answers: { 201: json('created', sftpConnectionSchema) }, errors: [400, 409, 502],
  },
  {
    ...admin, method: 'post', path: '/api/sftp-connections/test', tag: 'Connections', summary: "Answers the server's host key and, when it is the one trusted, logs in and lists the folder",
    body: { 'application/json': sftpTestRequest }, answers: { 200: json('what the test found', sftpTestResult) }, errors: [400, 404, 502],
  },
  {
    ...admin, method: 'get', path: '/api/sftp-connections/{id}/files', tag: 'Connections', summary: "A folder of a stored connection's server, its entries by name (the first 1000), to pick an extract's file in; editors too",
    query: sftpFolderQuery, answers: { 200: json('the folder', sftpFolderSchema) }, errors: [400, 404, 409, 502],
  },
  {
    ...admin, method: 'get', path: '/api/sftp-connections/{id}/preview', tag: 'Connections',
    summary: "The file an SFTP extract would read (a path, or a pattern's newest match) parsed with its delimiter, quote and encoding: its header and first 20 rows; editors too",
    query: sftpPreviewQuery, answers: { 200: json('the file read, its header and first rows', sftpPreviewSchema) }, errors: [400, 404, 409, 502],
  },
  {
    ...admin, method: 'patch', path: '/api/sftp-connections/{id}', tag: 'Connections', summary: 'Renames an SFTP connection, or changes its server, login or trusted host key once they work',
    body: { 'application/json': sftpConnectionPatch }, answers: { 200: json('changed', sftpConnectionSchema) }, errors: [400, 404, 409, 502],
  },
  { ...admin, method: 'delete', path: '/api/sftp-connections/{id}', tag: 'Connections', summary: 'Removes an SFTP connection no workflow reads from, unless forced', query: removalQuery, answers: { 200: json('removed', removal) }, errors: [404, 409] },
  { ...admin, method: 'get', path: '/api/salesforce-connections', tag: 'Connections', summary: 'The connected Salesforce orgs, without their secrets', answers: { 200: json('the connections', listOf(salesforceConnectionSchema)) }, errors: [] },
  {
    ...admin, method: 'post', path: '/api/salesforce-connections', tag: 'Connections', summary: 'Connects an org headless (JWT bearer or username-password), after logging in once',
    body: { 'application/json': salesforceHeadlessInput }, answers: { 201: json('connected', salesforceConnectionSchema) }, errors: [400, 409],
  },
  {
    ...admin, method: 'get', path: '/api/salesforce-connections/authorize', tag: 'Connections', summary: "Sends the browser to the org's login page (web-server flow)", query: authorizationInput,
    answers: { 302: { description: "to Salesforce's authorization page" } }, errors: [400, 409],
  },
  {
    ...admin, method: 'get', path: '/api/salesforce-connections/{id}/usage', tag: 'Connections', summary: "The org's user, API version and API requests today (/limits): one login and one API request",
    answers: { 200: json('the usage', salesforceUsageSchema) }, errors: [400, 404, 502],
  },
  {
    ...admin, method: 'get', path: '/api/salesforce-connections/{id}/objects/{kind}/fields', tag: 'Connections',
    summary: "The fields of the org's object behind a directory source (kind: accounts, contacts or teamMembers): the required ones, and each field with whether a write-back may write to it (updateable) and why it cannot be extracted (compound fields); one login and one describe",
    answers: { 200: json('the fields', objectDescribeSchema) }, errors: [400, 404, 502],
  },
  {
    ...admin, method: 'get', path: '/api/salesforce-connections/{id}/objects/{kind}/list-views', tag: 'Connections', summary: "The org's list views of the object behind a directory source, for an extract's listView",
    answers: { 200: json('the list views', listOf(listViewSchema)) }, errors: [400, 404, 502],
  },
  { ...admin, method: 'patch', path: '/api/salesforce-connections/{id}', tag: 'Connections', summary: 'Renames a Salesforce connection', body: { 'application/json': salesforceRenameInput }, answers: { 200: json('renamed', salesforceConnectionSchema) }, errors: [400, 404, 409] },
  { ...admin, method: 'delete', path: '/api/salesforce-connections/{id}', tag: 'Connections', summary: 'Removes a Salesforce connection no workflow reads from, unless forced', query: removalQuery, answers: { 200: json('removed', removal) }, errors: [404, 409] },

  {
    ...admin, method: 'post', path: '/api/uploads', tag: 'Connections', summary: 'Stores a file as its raw body arrives (any content type), for workflows\' "upload" extracts; at most UPLOAD_MAX_BYTES',
    query: z.object({ name: z.string().min(1).max(255).describe("the file's name, as workflows name it (accounts.csv)") }),
    body: { 'application/octet-stream': z.string().describe("the file's bytes"), 'text/csv': z.string().describe("the file's bytes") },
    answers: { 201: json('stored', uploadSchema) }, errors: [400, 413],
  },
  { ...admin, method: 'get', path: '/api/uploads', tag: 'Connections', summary: 'A page of the uploaded files, newest first, with who uploaded each', query: pageQuery.omit({ directory: true }), answers: { 200: json('the page', pageSchema(uploadSchema)) }, errors: [400] },
  {
    ...admin, method: 'get', path: '/api/uploads/{id}/columns', tag: 'Connections', summary: "An uploaded CSV's header: the columns an import can map from",
    answers: { 200: json('the columns', z.object({ upload: z.number().int(), name: z.string(), columns: z.array(z.string()) })) }, errors: [400, 404],
  },
  {
    ...admin, method: 'get', path: '/api/uploads/preview', tag: 'Connections', summary: "The newest upload of a name parsed with an extract's delimiter, quote and encoding: its header and first 20 rows",
    query: uploadPreviewQuery, answers: { 200: json('the header and first rows', uploadPreviewSchema) }, errors: [400],
  },
  {
    ...admin, method: 'delete', path: '/api/uploads/{id}', tag: 'Connections', summary: 'Removes an uploaded file, unless it is the newest of a name a workflow reads (or forced)',
    query: removalQuery, answers: { 200: json('removed', removal) }, errors: [404, 409],
  },

  { ...admin, method: 'get', path: '/api/workflows', tag: 'Workflows', summary: 'The workflows, each with when its schedule next starts a run', answers: { 200: json('the workflows', listOf(scheduledWorkflowSchema)) }, errors: [] },
  { ...admin, method: 'post', path: '/api/workflows', tag: 'Workflows', summary: 'Saves a checked workflow as its version 1', body: { 'application/json': workflowInput }, answers: { 201: json('created', workflowSchema) }, errors: [400, 409] },
  { ...admin, method: 'get', path: '/api/workflows/{id}', tag: 'Workflows', summary: 'One workflow, with when its schedule next starts a run', answers: { 200: json('the workflow', scheduledWorkflowSchema) }, errors: [404] },
  {
    ...admin, method: 'patch', path: '/api/workflows/{id}', tag: 'Workflows', summary: 'Renames, enables or disables a workflow, or saves its next version',
    body: { 'application/json': workflowChange }, answers: { 200: json('changed', workflowSchema) }, errors: [400, 404, 409],
  },
  { ...admin, method: 'get', path: '/api/workflows/{id}/versions', tag: 'Workflows', summary: "A workflow's saved versions, newest first, each with its definition", answers: { 200: json('the versions', listOf(workflowVersionSchema)) }, errors: [404] },
  { ...admin, method: 'delete', path: '/api/workflows/{id}', tag: 'Workflows', summary: 'Removes a workflow and its schedule', answers: { 204: noContent }, errors: [404] },
  {
    ...admin, method: 'post', path: '/api/workflows/preview', tag: 'Workflows',
    summary: 'A dry run of a definition not saved yet: its extracts, maps and loads in a transaction that is rolled back, worked out by a worker (504 when none answers)',
    body: { 'application/json': z.object({ definition: workflowDefinitionSchema }) }, answers: { 200: json('what a run would do', workflowPreviewSchema) }, errors: [400, 504],
  },
  {
    ...admin, method: 'post', path: '/api/workflows/{id}/preview', tag: 'Workflows',
    summary: 'A dry run of a workflow as saved, or of the draft of its next version in the body: nothing changes, no mail is queued',
    body: { 'application/json': z.object({ definition: workflowDefinitionSchema.optional() }) }, answers: { 200: json('what a run would do', workflowPreviewSchema) }, errors: [400, 404, 504],
  },
  {
    ...admin, method: 'post', path: '/api/workflows/{id}/runs', tag: 'Workflows', summary: 'Runs a workflow now',
    answers: { 202: json('queued; runId is the run its first load will be (GET /api/runs/{runId} answers 404 until a worker starts it)', z.object({ runId: z.number().int(), jobId: z.string(), workflowId: z.number().int(), version: z.number().int() })) }, errors: [404, 409],
  },

  { ...admin, method: 'get', path: '/api/widget-configs', tag: 'Widgets', summary: 'The saved widget configurations', answers: { 200: json('the configurations', listOf(widgetConfigSchema)) }, errors: [] },
  { ...admin, method: 'post', path: '/api/widget-configs', tag: 'Widgets', summary: 'Saves a widget configuration, checked against its directory', body: { 'application/json': widgetConfigInput }, answers: { 201: json('created', widgetConfigSchema) }, errors: [400, 404, 409] },
  {
    ...admin, method: 'post', path: '/api/widget-configs/preview', tag: 'Widgets', summary: 'What the widget would show with a configuration not saved yet (the designer\'s preview); nothing is stored',
    query: widgetQuery, body: { 'application/json': widgetConfigInput.partial({ name: true }) }, answers: { 200: json('a page of accounts, as GET /api/widgets/strategic-accounts', widgetDataSchema) }, errors: [400, 404],
  },
  { ...admin, method: 'get', path: '/api/widget-configs/{id}', tag: 'Widgets', summary: 'One widget configuration', answers: { 200: json('the configuration', widgetConfigSchema) }, errors: [404] },
  {
    ...admin, method: 'patch', path: '/api/widget-configs/{id}', tag: 'Widgets', summary: 'Changes the fields given, checking the result whole',
    body: { 'application/json': widgetConfigInput.partial() }, answers: { 200: json('changed', widgetConfigSchema) }, errors: [400, 404, 409],
  },
  {
    ...admin, method: 'delete', path: '/api/widget-configs/{id}', tag: 'Widgets', summary: "Removes a widget configuration; 409 while a workflow's write-back task uses it, naming them",
    query: z.object({ force: z.enum(['true', 'false']).optional().describe("true removes it even while workflows' write-back tasks use it (their next runs fail)") }),
    answers: { 204: noContent }, errors: [404, 409],
  },
  {
    ...admin, method: 'get', path: '/api/allowed-origins', tag: 'Widgets', summary: 'The origins whose pages may call the widget API: those added here, and those of CORS_ORIGINS',
    answers: { 200: json('the origins', listOf(allowedOriginSchema)) }, errors: [],
  },
  { ...admin, method: 'post', path: '/api/allowed-origins', tag: 'Widgets', summary: 'Allows an origin to call the widget API (at once, no restart)', body: { 'application/json': originInput }, answers: { 201: json('allowed', allowedOriginSchema) }, errors: [400] },
  {
    ...admin, method: 'delete', path: '/api/allowed-origins', tag: 'Widgets', summary: 'Removes an origin added here (those of CORS_ORIGINS change only there)',
    query: z.object({ origin: z.string().describe('the origin, e.g. https://portal.example.com') }), answers: { 204: noContent }, errors: [400, 404, 409],
  },
  { ...admin, method: 'post', path: '/api/embed-tokens', tag: 'Widgets', summary: 'Issues an embed token that shows one configuration', body: { 'application/json': tokenRequest }, answers: { 201: json('the token', issuedTokenSchema) }, errors: [400, 404] },
  {
    ...admin, method: 'get', path: '/api/embed-tokens/signing-key', tag: 'Widgets', summary: 'The key embed tokens are signed with, for a system that mints them per user (the Apex class in Salesforce)',
    answers: { 200: json('the key and the claims', signingKeySchema) }, errors: [],
  },

  {
    ...admin, method: 'get', path: '/api/alert-rules', tag: 'Alerts', summary: "A directory's alert rules, answer rules first",
    query: directoryQuery, answers: { 200: json('the rules', listOf(alertRuleSchema)) }, errors: [400, 404],
  },
  {
    ...admin, method: 'post', path: '/api/alert-rules', tag: 'Alerts', summary: 'Saves an alert rule: on an answer at or below a score, or on Health changing or NPS dropping',
    body: { 'application/json': alertRuleFields }, answers: { 201: json('created', alertRuleSchema) }, errors: [400, 404, 409],
  },
  { ...admin, method: 'get', path: '/api/alert-rules/{id}', tag: 'Alerts', summary: 'One alert rule', answers: { 200: json('the rule', alertRuleSchema) }, errors: [404] },
  {
    ...admin, method: 'patch', path: '/api/alert-rules/{id}', tag: 'Alerts', summary: 'Changes the fields given (enabled: false switches it off), checking the result whole',
    body: { 'application/json': alertRuleFields.partial() }, answers: { 200: json('changed', alertRuleSchema) }, errors: [400, 404, 409],
  },
  { ...admin, method: 'delete', path: '/api/alert-rules/{id}', tag: 'Alerts', summary: 'Removes an alert rule', answers: { 204: noContent }, errors: [404] },
  {
    ...admin, method: 'get', path: '/api/webhooks', tag: 'Alerts', summary: "A directory's webhooks with their delivery counts",
    query: directoryQuery, answers: { 200: json('the webhooks', listOf(webhookSchema)) }, errors: [400, 404],
  },
  {
    ...admin, method: 'post', path: '/api/webhooks', tag: 'Alerts', summary: 'Saves a webhook; the answer shows its signing secret, this once',
    body: { 'application/json': webhookInput }, answers: { 201: json('created, with its secret', createdWebhookSchema) }, errors: [400, 404],
  },
  { ...admin, method: 'get', path: '/api/webhooks/{id}', tag: 'Alerts', summary: 'One webhook', answers: { 200: json('the webhook', webhookSchema) }, errors: [404] },
  {
    ...admin, method: 'patch', path: '/api/webhooks/{id}', tag: 'Alerts', summary: "Changes a webhook's URL, events or whether it is on",
    body: { 'application/json': webhookChange }, answers: { 200: json('changed', webhookSchema) }, errors: [400, 404],
  },
  { ...admin, method: 'delete', path: '/api/webhooks/{id}', tag: 'Alerts', summary: 'Removes a webhook and its delivery log', answers: { 204: noContent }, errors: [404] },
  {
    ...admin, method: 'get', path: '/api/webhooks/{id}/deliveries', tag: 'Alerts', summary: "A page of a webhook's deliveries, newest first, with each one's attempts and last answer",
    query: pageQuery.omit({ directory: true }), answers: { 200: json('the page', pageSchema(webhookDeliverySchema)) }, errors: [400, 404],
  },

  { ...admin, method: 'get', path: '/api/surveys', tag: 'Surveys', summary: 'The surveys', answers: { 200: json('the surveys', listOf(surveySchema)) }, errors: [] },
  { ...admin, method: 'post', path: '/api/surveys', tag: 'Surveys', summary: 'Saves a survey', body: { 'application/json': surveyInputSchema }, answers: { 201: json('created', surveySchema) }, errors: [400, 409] },
  {
    ...admin, method: 'get', path: '/api/surveys/preview', tag: 'Surveys', summary: 'The survey page for texts not saved yet (the builder\'s framed preview): only this origin may frame it, nothing runs or sends',
    query: previewQuery, answers: { 200: { description: 'the survey page', contentType: 'text/html' }, 400: surveyRefused }, errors: [],
  },
  {
    ...admin, method: 'post', path: '/api/surveys/preview', tag: 'Surveys', summary: 'The same page for a survey posted as JSON',
    query: previewLanguageQuery, body: { 'application/json': surveyInputSchema }, answers: { 200: { description: 'the survey page', contentType: 'text/html' }, 400: surveyRefused }, errors: [],
  },
  { ...admin, method: 'get', path: '/api/surveys/{id}', tag: 'Surveys', summary: 'One survey', answers: { 200: json('the survey', surveySchema) }, errors: [404] },
  { ...admin, method: 'put', path: '/api/surveys/{id}', tag: 'Surveys', summary: 'Replaces a survey', body: { 'application/json': surveyInputSchema }, answers: { 200: json('replaced', surveySchema) }, errors: [400, 404, 409] },
  {
    ...admin, method: 'get', path: '/api/surveys/{id}/responses', tag: 'Surveys', summary: "A page of a survey's answers, newest first", query: pageQuery.omit({ directory: true }),
    answers: { 200: json('the page', pageSchema(storedResponseSchema)) }, errors: [400, 404],
  },
  { ...admin, method: 'get', path: '/api/distributions', tag: 'Surveys', summary: 'The newest 200 distributions, optionally of one survey or of one run', query: distributionsQuery, answers: { 200: json('the distributions', listOf(distributionSummarySchema)) }, errors: [400] },
  {
    ...admin, method: 'get', path: '/api/distributions/{id}', tag: 'Surveys', summary: 'One distribution with its failed and in-doubt recipients',
    answers: { 200: json('the distribution', distributionSummarySchema.extend({ problems: z.array(recipientProblemSchema) })) }, errors: [404],
  },
  {
    ...admin, method: 'post', path: '/api/distributions', tag: 'Surveys', summary: "Sends a survey to a mailing list or to the contacts a search matches, now or at a time, under the directory's contact rules",
    body: { 'application/json': manualDistributionInput },
    answers: { 201: json('created and queued', distributionSummarySchema.extend({ problems: z.array(recipientProblemSchema) })), 200: json('the distribution the same requestKey made before; nothing more is sent', distributionSummarySchema.extend({ problems: z.array(recipientProblemSchema) })) },
    errors: [400, 404],
  },
  {
    ...admin, method: 'get', path: '/api/distributions/{id}/recipients', tag: 'Surveys', summary: "A page of a distribution's recipients, optionally in one state, each with why it was skipped, when it opened the page and answered",
    query: recipientsQuery, answers: { 200: json('the page', pageSchema(recipientSchema)) }, errors: [400, 404],
  },
  {
    ...admin, method: 'get', path: '/api/responses', tag: 'Surveys', summary: "A page of a directory's answers (surveys' and imported), by survey, score range and day range, newest first",
    query: answersQuery, answers: { 200: json('the page', pageSchema(answerSchema)) }, errors: [400],
  },
  {
    ...admin, method: 'get', path: '/api/responses.csv', tag: 'Surveys', summary: 'The answers the same filters select, all of them, as CSV',
    query: answersQuery.omit({ limit: true, offset: true }), answers: { 200: { description: 'the answers', contentType: 'text/csv' } }, errors: [400],
  },
  { ...admin, method: 'get', path: '/api/outbox', tag: 'Surveys', summary: 'A page of the local outbox (mail kept when no SMTP server is set)', query: pageQuery.omit({ directory: true }), answers: { 200: json('the page', pageSchema(outboxMessageSchema)) }, errors: [400] },
  {
    ...admin, method: 'get', path: '/api/outbox/{id}/body', tag: 'Surveys', summary: "A kept message's HTML as a page: no script runs, only this origin may frame it",
    answers: { 200: { description: 'the HTML body', contentType: 'text/html' } }, errors: [404],
  },
  {
    ...admin, method: 'post', path: '/api/responses', tag: 'Surveys', summary: 'Imports an NPS history, CSV, NDJSON or JSON (at most 20 MB), in one transaction',
    query: responseMappingSchema
      .extend({ directory: z.string().regex(/^[1-9]\d*$/).optional().describe('the directory the CSV or NDJSON rows belong to (default 1)') })
      .describe('a CSV body\'s own column names per value, and the time format of any body (e.g. DD/MM/YYYY HH:mm)'),
    // Each JSON item is checked on its own: a bad one is a rejected row, not a refused request.
    body: {
      'text/csv': z.string().describe('columns Contact.Id, Account.Id, Score, Comment, Responded_At'),
      'application/x-ndjson': postedResponse.describe('one answer object per line'),
      'application/json': postedResponses.extend({ responses: z.array(postedResponse).min(1).max(100_000) }),
    },
    answers: { 200: json('the counts and the first rejected rows', responseImportSchema) }, errors: [400, 413, 415],
  },
  {
    ...admin, method: 'post', path: '/api/responses/from-upload', tag: 'Surveys', summary: 'Imports an NPS history from an uploaded CSV, with its own column names and time format, in one transaction',
    body: { 'application/json': uploadImport.extend({ mapping: responseMappingSchema }) },
    answers: { 200: json('the counts and the first rejected rows', responseImportSchema) }, errors: [400, 404],
  },
];
