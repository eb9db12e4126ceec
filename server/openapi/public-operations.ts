import { z } from 'zod';
import { salesforceConnectionSchema } from '../../core/connections/salesforce.ts';
import { healthSchema, unhealthySchema } from '../health.ts';
import { widgetDataSchema, widgetQuery } from '../widgets/strategic-accounts.ts';
import { consolePaths } from '../console/routes.ts';
import type { Answer, Operation } from './operation.ts';

const html = (description: string): Answer => ({ description, contentType: 'text/html' });
const script: Answer = { description: 'the <strategic-accounts> element, cached an hour then revalidated by ETag', contentType: 'text/javascript' };

/** The description itself: an OpenAPI 3.1 document. */
const documentSchema = z.looseObject({ openapi: z.string(), info: z.looseObject({ title: z.string() }), paths: z.record(z.string(), z.unknown()) });

// Survey forms: the score and the extra questions' answers (`q_<key>`) as the page names them.
const surveyForm = z.looseObject({ score: z.string().regex(/^(10|[0-9])$/), comment: z.string().optional() });

/** The page's language links add `lang`; without it the contact's language attribute (or the survey's default) chooses. */
const surveyPageQuery = z.object({ lang: z.string().optional().describe("one of the survey's languages, e.g. de; another falls back to the contact's or the default") });

/** What needs no admin key in a request header: probes, this description, the widget, the survey pages and the OAuth return. */
export const publicOperations: Operation[] = [
  {
    method: 'get', path: '/api/health', tag: 'Operations', summary: 'Whether the process runs and its database answers', auth: 'public',
    answers: { 200: { description: 'up', schema: healthSchema }, 503: { description: 'the database did not answer', schema: unhealthySchema } }, errors: [],
  },
  { method: 'get', path: '/api/openapi.json', tag: 'Operations', summary: 'This description of the HTTP API', auth: 'public', answers: { 200: { description: 'the OpenAPI 3.1 document', schema: documentSchema } }, errors: [] },

  {
    method: 'get', path: '/api/widgets/strategic-accounts', tag: 'Widgets', summary: "A page of a widget configuration's accounts, as the widget shows them", auth: 'adminOrEmbedToken',
    query: widgetQuery.extend({ config: z.string().regex(/^[1-9]\d*$/).describe('the widget configuration') }),
    answers: { 200: { description: 'the accounts', schema: widgetDataSchema } }, errors: [400, 403, 404],
  },
  { method: 'get', path: '/widget/strategic-accounts.js', tag: 'Widgets', summary: 'The widget as an ES module', auth: 'public', answers: { 200: script }, errors: [404] },
  { method: 'get', path: '/widget/strategic-accounts.iife.js', tag: 'Widgets', summary: 'The widget as a classic script (Salesforce static resource)', auth: 'public', answers: { 200: script }, errors: [404] },

  ...consolePaths.map((path): Operation => ({
    method: 'get', path: path.replace(/:(\w+)/g, '{$1}'), tag: 'Console', summary: `The console${path === '/' ? '' : `'s ${path.slice(1)} page`}`, auth: 'public',
    answers: { 200: html('the console: a page whose script shows what this path names') }, errors: [],
  })),
  {
    method: 'get', path: '/console/{file}', tag: 'Console', summary: "The console's script and its chunks", auth: 'public',
    answers: { 200: { description: 'the script; hashed chunks are cached for good, the entry revalidated by ETag', contentType: 'text/javascript' } }, errors: [404],
  },

  {
    method: 'get', path: '/oauth/salesforce/callback', tag: 'Connections', summary: 'Where Salesforce sends the browser back: stores the connection, or signs the person in', auth: 'public',
    query: z.object({ state: z.string(), code: z.string().optional(), error: z.string().optional(), error_description: z.string().optional() }),
    answers: {
      201: { description: 'connected', schema: salesforceConnectionSchema },
      302: { description: 'a sign-in: to / with the bw_session cookie, or to /sign-in?refused=<reason> (unknown, unverified, deactivated, invitation-expired, denied, expired, failed)' },
    },
    errors: [400, 409],
  },

  {
    method: 'get', path: '/s/{token}', tag: 'Survey pages', summary: "The survey behind a link, in the contact's language", auth: 'public', query: surveyPageQuery,
    answers: { 200: html('the survey form, or the answer already given'), 404: html('no survey'), 410: html("the individual link has expired: a page saying so, in the survey's language") }, errors: [429],
  },
  {
    method: 'post', path: '/s/{token}', tag: 'Survey pages', summary: 'Answers a survey', auth: 'public', query: surveyPageQuery, body: { 'application/x-www-form-urlencoded': surveyForm },
    answers: { 200: html('thanks'), 400: html('the form again, saying what to fix'), 404: html('no survey'), 409: html('the earlier answer is kept'), 410: html('the individual link has expired; no answer is taken') },
    errors: [413, 429],
  },
  { method: 'get', path: '/o/{token}', tag: 'Survey pages', summary: 'The opt-out page', auth: 'public', answers: { 200: html('asks to confirm'), 404: html('no such link') }, errors: [429] },
  { method: 'post', path: '/o/{token}', tag: 'Survey pages', summary: 'Opts out of surveys; also one-click List-Unsubscribe (RFC 8058)', auth: 'public', answers: { 200: html('opted out'), 404: html('no such link') }, errors: [429] },
  {
    method: 'get', path: '/outbox', tag: 'Console', summary: "The outbox's old address: moved for good to the console's /mail", auth: 'public',
    answers: { 301: { description: 'to /mail', contentType: 'text/plain' } }, errors: [],
  },
];
