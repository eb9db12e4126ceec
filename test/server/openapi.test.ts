import { tempDir } from '../helpers/files.ts';
import { createSftpConnection } from '../../core/connections/sftp.ts';
import { freePort } from '../helpers/database.ts';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';
import type { Db } from '../../core/db.ts';
import { outboxMailer } from '../../core/mail.ts';
import { createLogger } from '../../core/log.ts';
import { createSurvey } from '../../core/surveys/queries.ts';
import { defaultTemplates } from '../../core/surveys/template.ts';
import { insertDistribution } from '../../core/surveys/create-distribution.ts';
import { sendDistribution } from '../../worker/distribute/send-distribution.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { widgetDist } from '../../server/widgets/bundle.ts';
import { adminKey, serve, testApp, testSecretBox, type Served } from './serve.ts';
import { loadWidgetDirectory, saveConfig } from './widgets/fixture.ts';
import { addUser, goodPassword, sessionCookieOf, signIn } from './people-fixture.ts';

type Response = { $ref?: string; content?: Record<string, unknown> };
type OpenApi = { paths: Record<string, Record<string, { responses: Record<string, Response> }>>; components: { responses: Record<string, Response> } };

/** What a route of the app is, as Express's router keeps it (router 2: `rawPath` is the path a layer was mounted at). */
type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; handle: { stack?: Layer[] }; rawPath?: string | string[]; slash?: boolean };

/** Every method and path the app's routers answer, as OpenAPI templates (`GET /api/runs/{id}`). */
function mountedRoutes(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const paths = [layer.route.path].flat().map((p) => (prefix + p).replace(/(.)\/$/, '$1').replace(/:(\w+)/g, '{$1}'));
      return Object.keys(layer.route.methods).flatMap((method) => paths.map((path) => `${method.toUpperCase()} ${path}`));
    }
    if (layer.handle.stack) return mountedRoutes(layer.handle.stack, prefix + (layer.slash ? '' : String(layer.rawPath)));
    return [];
  });
}

function describedRoutes(document: OpenApi): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
}

type Answer = { route: string; status: number; type: string; body: string };

describe('/api/openapi.json', function () {
  this.timeout(60_000);
  let db: Db;
  let api: Served;

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    // A workflow's file extract names a file in the import folder.
    api = await serve(db, undefined, undefined, await testApp(db, undefined, undefined, undefined, { importDir: await tempDir() }));
  });
  afterEach(() => api.close());

  const description = async () => {
    const reply = await api.get('/api/openapi.json', { key: null });
    assert.equal(reply.status, 200);
    return reply.body as OpenApi;
  };

  describe('GET without a key', () => {
    it('is a valid OpenAPI 3.1 document', async () => {
      const validator = new Validator();
      const result = await validator.validate((await description()) as unknown as Record<string, unknown>);
      assert.deepEqual([result.valid, result.errors, validator.version], [true, undefined, '3.1']);
    });
  });

  it('describes every route the app mounts, and no other', async () => {
    const app = await testApp(db);
    const mounted = mountedRoutes((app.router as unknown as { stack: Layer[] }).stack);
    assert.deepEqual(describedRoutes(await description()).sort(), [...new Set(mounted)].sort());
  });

  /**
   * Calls `route` (`GET /api/runs/{id}`) at `path` and keeps what it answered. Template and path are
   * both given so that the answer is checked against the operation the caller means.
   */
  const call = async (route: string, path: string, init: RequestInit & { key?: string | null; json?: unknown } = {}): Promise<Answer> => {
    const { key = adminKey, json, ...rest } = init;
    const headers: Record<string, string> = { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...(json === undefined ? {} : { 'content-type': 'application/json' }) };
    const response = await fetch(api.base + path, { method: route.split(' ')[0], headers, ...(json === undefined ? {} : { body: JSON.stringify(json) }), ...rest });
    return { route, status: response.status, type: response.headers.get('content-type')?.split(';')[0] ?? '', body: await response.text() };
  };

  /** What is wrong with an answer against the document: an undeclared status or media type, or a body its schema refuses. */
  function problems(document: OpenApi, answers: Answer[]): string[] {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    formats.default(ajv);
    ajv.addSchema(document, 'openapi');
    return answers.flatMap(({ route, status, type, body }) => {
      const [method, path] = route.split(' ') as [string, string];
      const operation = document.paths[path]?.[method.toLowerCase()];
      if (!operation?.responses[status]) return [`${route} answered ${status}, which it does not declare`];
      // An error answer refers to a shared one under components.
      const ref = operation.responses[status].$ref;
      const pointer = ref?.slice(2) ?? ['paths', path, method.toLowerCase(), 'responses', String(status)].map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
      const declared = ref === undefined ? operation.responses[status] : document.components.responses[ref.split('/').at(-1)!]!;
      if (status === 204) return body === '' ? [] : [`${route} answered 204 with a body`];
      if (!declared.content || !(type in declared.content)) return [`${route} answered ${status} as ${type}, which it does not declare`];
      if (type !== 'application/json') return [];
      const validate = ajv.compile({ $ref: `openapi#/${pointer}/content/application~1json/schema` });
      return validate(JSON.parse(body)) ? [] : [`${route} ${status}: ${ajv.errorsText(validate.errors)}`];
    });
  }

  it('describes what each router answers, its errors included', async () => {
    await loadWidgetDirectory(db);
    const { id: surveyId } = await createSurvey(db, { name: 'NPS' });
    const [list] = await db.query<{ id: number }>(`insert into mailing_lists (directory_id, name) values (1, 'Alpha') returning id::int`);
    await db.query(`insert into mailing_list_members (mailing_list_id, directory_id, contact_external_id) values ($1, 1, 'C1')`, [list!.id]);
    const distribution = (await insertDistribution(db, { audience: 'all',
      surveyId, directoryId: 1, mailingListId: list!.id, workflowId: null, linkType: 'individual', from: 'nps@alpha.example', ...defaultTemplates, sendAt: new Date(),
    }))!;
    await sendDistribution({ db, mailer: outboxMailer(db), publicUrl: api.base, logger: createLogger('silent', 'test') }, distribution.id);
    const [mail] = await db.query<{ text: string }>('select text from outbox_messages');
    const surveyLink = new URL(/https?:\/\/\S+\/s\/\S+/.exec(mail!.text)![0]).pathname;
    const configId = await saveConfig(api, { columns: [{ field: 'attribute:industry' }] });
    const token = JSON.parse((await call('POST /api/embed-tokens', '/api/embed-tokens', { json: { configId } })).body) as { token: string };
    const [run] = await db.query<{ id: number }>('select id::int from sync_runs');
    const workflow = { name: 'Daily', definition: { tasks: [{ type: 'extract', name: 'A', object: 'accounts', source: 'file', path: 'accounts.csv' }, { type: 'load', name: 'L', extracts: { accounts: 'A' } }] } };
    // A server that does not answer: a connection is tested before it is stored (the one to delete is stored directly).
    const sftp = { name: 'Exports', host: '127.0.0.1', port: await freePort(), username: 'bellwether', password: 'hunter2-hunter2', hostKeyFingerprint: `SHA256:${'x'.repeat(43)}` };
    await createSftpConnection(db, testSecretBox, { ...sftp, name: 'Stored' });

    await addUser(db, 'ann@example.com', 'admin');
    const cookie = sessionCookieOf(await signIn(api, 'ann@example.com'));
    const session = { key: null, headers: { cookie, origin: api.base, 'content-type': 'application/json' } };

    const answers = [
      await call('GET /api/health', '/api/health', { key: null }),
      await call('POST /api/session', '/api/session', { key: null, json: { email: 'ann@example.com', password: goodPassword } }),
      await call('POST /api/session', '/api/session', { key: null, json: { email: 'ann@example.com', password: 'not the password' } }),
      await call('GET /api/session', '/api/session', session),
      await call('GET /api/session', '/api/session', { key: null }),
      await call('GET /api/me/accounts', '/api/me/accounts', session),
      await call('GET /api/me/accounts', '/api/me/accounts'),
      await call('GET /api/setup/{token}', '/api/setup/AAAA', { key: null }),
      await call('POST /api/users', '/api/users', { json: { email: 'bo@example.com', name: 'Bo', role: 'editor' } }),
      await call('POST /api/users', '/api/users', { json: { email: 'ann@example.com', name: 'Ann', role: 'editor' } }),
      await call('GET /api/users', '/api/users', session),
      await call('PATCH /api/users/{id}', '/api/users/2', { ...session, body: JSON.stringify({ role: 'viewer' }) }),
      await call('PATCH /api/users/{id}', '/api/users/1', { json: { active: false } }),
      await call('GET /api/invitations/{token}', '/api/invitations/AAAA', { key: null }),
      await call('POST /api/invitations/{token}', '/api/invitations/AAAA', { key: null, json: { password: goodPassword } }),
      await call('DELETE /api/session', '/api/session', session),
      await call('POST /api/directories', '/api/directories', { json: { name: 'Second' } }),
      await call('POST /api/directories', '/api/directories', { json: { name: '' } }),
      await call('GET /api/directories', '/api/directories'),
      await call('GET /api/directories/{id}', '/api/directories/1'),
      await call('PUT /api/directories/{id}/contact-rules', '/api/directories/1/contact-rules', { json: { maxInvitations: 2, periodDays: 90 } }),
      await call('PUT /api/directories/{id}/contact-rules', '/api/directories/1/contact-rules', { json: { maxInvitations: 0, periodDays: 90 } }),
      await call('GET /api/directories/{id}/contact-rules', '/api/directories/1/contact-rules'),
      await call('GET /api/directories/{id}/contact-rules', '/api/directories/99/contact-rules'),
      await call('PATCH /api/directories/{id}', '/api/directories/2', { json: { name: 'Default' } }),
      await call('PATCH /api/directories/{id}', '/api/directories/2', { json: { name: 'Renamed' } }),
      await call('DELETE /api/directories/{id}', '/api/directories/2'),
      await call('DELETE /api/directories/{id}', '/api/directories/2'),
      await call('GET /api/accounts', '/api/accounts?q=alpha'),
      await call('GET /api/accounts', '/api/accounts', { key: null }),
      await call('GET /api/accounts/{externalId}', '/api/accounts/A1'),
      await call('GET /api/accounts/{externalId}', '/api/accounts/A1?directory=9'),
      await call('GET /api/contacts', '/api/contacts?limit=0'),
      await call('GET /api/contacts', '/api/contacts'),
      await call('GET /api/runs', '/api/runs'),
      await call('GET /api/runs/{id}', `/api/runs/${run!.id}`),
      await call('GET /api/runs/{id}', '/api/runs/999'),
      await call('POST /api/runs/{id}/cancel', `/api/runs/${run!.id}/cancel`),
      await call('GET /api/runs/{id}/errors.csv', `/api/runs/${run!.id}/errors.csv`),
      await call('GET /api/runs/{id}/events', `/api/runs/${run!.id}/events`),
      await call('POST /api/sftp-connections', '/api/sftp-connections', { json: sftp }),
      await call('POST /api/sftp-connections', '/api/sftp-connections', { json: { ...sftp, port: 0 } }),
      await call('GET /api/sftp-connections', '/api/sftp-connections'),
      await call('POST /api/sftp-connections/test', '/api/sftp-connections/test', { json: { ...sftp, folder: '/' } }),
      await call('PATCH /api/sftp-connections/{id}', '/api/sftp-connections/1', { json: { name: 'Renamed' } }),
      await call('PATCH /api/sftp-connections/{id}', '/api/sftp-connections/7', { json: { name: 'Renamed' } }),
      await call('DELETE /api/sftp-connections/{id}', '/api/sftp-connections/1'),
      await call('GET /api/salesforce-connections/{id}/usage', '/api/salesforce-connections/7/usage'),
      await call('GET /api/salesforce-connections', '/api/salesforce-connections'),
      await call('PATCH /api/salesforce-connections/{id}', '/api/salesforce-connections/7', { json: { name: 'Org' } }),
      await call('GET /api/salesforce-connections/authorize', '/api/salesforce-connections/authorize?name=Org', { redirect: 'manual' }),
      await call('GET /oauth/salesforce/callback', '/oauth/salesforce/callback?state=x&code=y', { key: null }),
      await call('POST /api/workflows', '/api/workflows', { json: workflow }),
      await call('GET /api/workflows', '/api/workflows'),
      await call('PATCH /api/workflows/{id}', '/api/workflows/1', { json: { enabled: 'yes' } }),
      await call('POST /api/workflows/{id}/runs', '/api/workflows/1/runs'),
      await call('DELETE /api/workflows/{id}', '/api/workflows/1'),
      await call('GET /api/widget-configs/{id}', `/api/widget-configs/${configId}`),
      await call('POST /api/widget-configs', '/api/widget-configs', { json: { name: 'Colours', colour: 'red' } }),
      await call('GET /api/widgets/strategic-accounts', `/api/widgets/strategic-accounts?config=${configId}`, { key: token.token }),
      await call('GET /api/widgets/strategic-accounts', `/api/widgets/strategic-accounts?config=${configId + 1}`, { key: token.token }),
      await call('GET /widget/strategic-accounts.js', '/widget/strategic-accounts.js', { key: null }),
      await call('GET /api/surveys', '/api/surveys'),
      await call('POST /api/surveys', '/api/surveys', { json: { name: 'NPS' } }),
      await call('GET /api/surveys/{id}/responses', `/api/surveys/${surveyId}/responses`),
      await call('GET /api/distributions/{id}', `/api/distributions/${distribution.id}`),
      await call('GET /api/distributions', '/api/distributions?survey=x'),
      await call('GET /api/distributions/{id}/recipients', `/api/distributions/${distribution.id}/recipients?state=sent`),
      await call('GET /api/distributions/{id}/recipients', '/api/distributions/999/recipients'),
      await call('POST /api/distributions', '/api/distributions', { json: { surveyId, contacts: { search: 'C1' }, requestKey: 'k1' } }),
      await call('POST /api/distributions', '/api/distributions', { json: { surveyId, contacts: { search: 'C1' }, requestKey: 'k1' } }),
      await call('POST /api/distributions', '/api/distributions', { json: { surveyId, mailingListId: list!.id, contacts: {} } }),
      await call('POST /api/distributions', '/api/distributions', { json: { surveyId, directoryId: 99, mailingListId: list!.id } }),
      await call('GET /api/outbox', '/api/outbox'),
      await call('POST /api/responses', '/api/responses', { json: { responses: [{ contactId: 'C1', score: 9, respondedAt: '2026-01-05T10:00:00Z' }, { score: 11 }] } }),
      await call('POST /api/responses', '/api/responses', { body: 'score\n9', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'text/plain' } }),
      await call('GET /s/{token}', surveyLink, { key: null }),
      await call('POST /s/{token}', surveyLink, { key: null, body: new URLSearchParams({ score: '12' }) }),
      await call('GET /o/{token}', '/o/AAAAAAAAAAAAAAAAAAAAAA', { key: null }),
      await call('GET /outbox', '/outbox', { key: null, redirect: 'manual' }),
    ];
    // Every kind of answer is here: a success and an error of each router.
    assert.deepEqual(answers.map((a) => `${a.route} ${a.status}`), [
      'GET /api/health 200',
      'POST /api/session 200', 'POST /api/session 401', 'GET /api/session 200', 'GET /api/session 401',
      'GET /api/me/accounts 200', 'GET /api/me/accounts 401', 'GET /api/setup/{token} 404',
      'POST /api/users 201', 'POST /api/users 409', 'GET /api/users 200', 'PATCH /api/users/{id} 200', 'PATCH /api/users/{id} 409',
      'GET /api/invitations/{token} 404', 'POST /api/invitations/{token} 404', 'DELETE /api/session 204',
      'POST /api/directories 201', 'POST /api/directories 400', 'GET /api/directories 200', 'GET /api/directories/{id} 200',
      'PUT /api/directories/{id}/contact-rules 200', 'PUT /api/directories/{id}/contact-rules 400', 'GET /api/directories/{id}/contact-rules 200', 'GET /api/directories/{id}/contact-rules 404',
      'PATCH /api/directories/{id} 409', 'PATCH /api/directories/{id} 200', 'DELETE /api/directories/{id} 200', 'DELETE /api/directories/{id} 404',
      'GET /api/accounts 200', 'GET /api/accounts 401', 'GET /api/accounts/{externalId} 200', 'GET /api/accounts/{externalId} 404', 'GET /api/contacts 400', 'GET /api/contacts 200',
      'GET /api/runs 200', 'GET /api/runs/{id} 200', 'GET /api/runs/{id} 404', 'POST /api/runs/{id}/cancel 409', 'GET /api/runs/{id}/errors.csv 200', 'GET /api/runs/{id}/events 200',
      'POST /api/sftp-connections 502', 'POST /api/sftp-connections 400', 'GET /api/sftp-connections 200',
      'POST /api/sftp-connections/test 502', 'PATCH /api/sftp-connections/{id} 200', 'PATCH /api/sftp-connections/{id} 404', 'DELETE /api/sftp-connections/{id} 200',
      'GET /api/salesforce-connections/{id}/usage 404', 'GET /api/salesforce-connections 200', 'PATCH /api/salesforce-connections/{id} 404', 'GET /api/salesforce-connections/authorize 409', 'GET /oauth/salesforce/callback 409',
      'POST /api/workflows 201', 'GET /api/workflows 200', 'PATCH /api/workflows/{id} 400', 'POST /api/workflows/{id}/runs 409', 'DELETE /api/workflows/{id} 204',
      'GET /api/widget-configs/{id} 200', 'POST /api/widget-configs 400', 'GET /api/widgets/strategic-accounts 200', 'GET /api/widgets/strategic-accounts 403',
      `GET /widget/strategic-accounts.js ${existsSync(path.join(widgetDist, 'strategic-accounts.js')) ? 200 : 404}`,
      'GET /api/surveys 200', 'POST /api/surveys 409', 'GET /api/surveys/{id}/responses 200', 'GET /api/distributions/{id} 200', 'GET /api/distributions 400',
      'GET /api/distributions/{id}/recipients 200', 'GET /api/distributions/{id}/recipients 404',
      'POST /api/distributions 201', 'POST /api/distributions 200', 'POST /api/distributions 400', 'POST /api/distributions 404', 'GET /api/outbox 200',
      'POST /api/responses 200', 'POST /api/responses 415',
      'GET /s/{token} 200', 'POST /s/{token} 400', 'GET /o/{token} 200', 'GET /outbox 301',
    ]);
    assert.deepEqual(problems(await description(), answers), []);
  });
});
