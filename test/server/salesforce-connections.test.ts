import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { Db } from '../../core/db.ts';
import { runSync } from '../../worker/jobs/run-sync.ts';
import { freePort } from '../helpers/database.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { companyMapping, seedCompany } from '../helpers/salesforce/fixture.ts';
import { startStandIn, type SalesforceStandIn } from '../helpers/salesforce/stand-in.ts';
import { adminKey, recordingLogger, serve, testApp, testSecretBox, type Served } from './serve.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });

describe('/api/salesforce-connections', () => {
  let api: Served;
  let db: Db;
  let standIn: SalesforceStandIn;
  let logged: () => Record<string, unknown>[];

  beforeEach(async function () {
    db = (await testDatabase(this)).db;
    standIn = await startStandIn();
    standIn.app.certificate = publicKey;
    seedCompany(standIn);
    const port = await freePort();
    const recording = recordingLogger();
    logged = recording.lines;
    const salesforceApp = { clientId: standIn.app.clientId, clientSecret: standIn.app.clientSecret, callbackUrl: `http://localhost:${port}/oauth/salesforce/callback`, loginUrl: standIn.url };
    api = await serve(db, recording.logger, undefined, await testApp(db, recording.logger, undefined, undefined, { salesforceApp }), port);
  });
  afterEach(async () => {
    await api.close();
    await standIn.close();
  });

  const send = (method: string, path: string, body?: unknown) =>
    api.request(path, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const syncWith = (connectionId: number) =>
    runSync({ db, secretBox: async () => testSecretBox, salesforce: { pollIntervalMs: 10 } }, { directoryId: 1, mapping: companyMapping, salesforce: { connectionId, objects: { accounts: {} } } });

  /** The admin's browser: our authorize route, Salesforce's login page, back to our callback. */
  async function connectThroughBrowser(name: string) {
    const start = await fetch(`${api.base}/api/salesforce-connections/authorize?name=${encodeURIComponent(name)}&loginUrl=${encodeURIComponent(standIn.url)}`, {
      headers: { authorization: `Bearer ${adminKey}` },
      redirect: 'manual',
    });
    assert.equal(start.status, 302);
    const login = new URL(start.headers.get('location')!);
    assert.equal(`${login.origin}${login.pathname}`, `${standIn.url}/services/oauth2/authorize`);
    assert.equal(login.searchParams.get('code_challenge_method'), 'S256');
    const consent = await fetch(login, { redirect: 'manual' });
    const callback = consent.headers.get('location')!;
    const landed = await fetch(callback);
    return { landed: { status: landed.status, body: await landed.json() }, callback };
  }

  describe('connecting through the Salesforce login (OAuth 2.0 web-server flow)', () => {
    it('stores the refresh token sealed, shows the org without secrets, and extracts with it', async () => {
      const { landed, callback } = await connectThroughBrowser('Production');
      const created = landed.body as { id: number; createdAt: string; orgId: string };
      assert.deepEqual(landed, {
        status: 201,
        body: { id: created.id, name: 'Production', flow: 'web', loginUrl: standIn.url, instanceUrl: standIn.url, orgId: standIn.org.id, username: null, createdAt: created.createdAt },
      });
      const [row] = await db.query<Record<string, string | null>>('select refresh_token_sealed, client_secret_sealed from salesforce_connections');
      assert.ok(row!.refresh_token_sealed!.startsWith('v1:') && row!.client_secret_sealed!.startsWith('v1:'));
      const everything = JSON.stringify([row, (await api.get('/api/salesforce-connections')).body, logged()]);
      assert.ok(!everything.includes(standIn.app.clientSecret) && !everything.includes('5Aep861'), 'no secret is shown, stored in the clear or logged');

      const result = await syncWith(created.id);
      assert.equal(result.state, 'succeeded', result.error?.message);
      assert.equal(result.counts.accounts?.inserted, 2);

      const replayed = await fetch(callback);
      assert.deepEqual([replayed.status, (await replayed.json()).error.code], [400, 'BAD_REQUEST']);
    });

    it('says so when Salesforce refuses access', async () => {
      const start = await fetch(`${api.base}/api/salesforce-connections/authorize?name=Prod&loginUrl=${encodeURIComponent(standIn.url)}`, { headers: { authorization: `Bearer ${adminKey}` }, redirect: 'manual' });
      const state = new URL(start.headers.get('location')!).searchParams.get('state');
      const denied = await fetch(`${api.base}/oauth/salesforce/callback?error=access_denied&error_description=end-user+denied+authorization&state=${state}`);
      assert.deepEqual([denied.status, await denied.json()], [
        400,
        { error: { code: 'SALESFORCE_AUTH_FAILED', message: 'Salesforce did not allow access for "Prod": access_denied (end-user denied authorization)' } },
      ]);
    });
  });

  describe('GET /api/salesforce-connections/:id/usage', () => {
    it("shows the org, the user, the API version and the org's API requests left today, read from /limits", async () => {
      const { landed } = await connectThroughBrowser('Production');
      const { id } = landed.body as { id: number };
      standIn.dailyApiRequests = { max: 15_000, usedByOthers: 1_200 };
      const reply = await send('GET', `/api/salesforce-connections/${id}/usage`);
      assert.deepEqual([reply.status, reply.body], [
        200,
        { orgId: standIn.org.id, username: standIn.user.username, instanceUrl: standIn.url, apiVersion: '62.0', dailyApiRequests: { max: 15_000, remaining: 15_000 - 1_200 - standIn.apiCalls } },
      ]);
      assert.deepEqual(standIn.requests.filter((r) => r.path.startsWith('/services/data/')).map((r) => r.path), ['/services/data/v62.0/limits']);
    });

    it('sends a browser back to the Connections page once the org is connected, or with the refusal', async () => {
      const start = await fetch(`${api.base}/api/salesforce-connections/authorize?name=Prod&loginUrl=${encodeURIComponent(standIn.url)}`, { headers: { authorization: `Bearer ${adminKey}` }, redirect: 'manual' });
      const consent = await fetch(start.headers.get('location')!, { redirect: 'manual' });
      const landed = await fetch(consent.headers.get('location')!, { headers: { accept: 'text/html,application/xhtml+xml' }, redirect: 'manual' });
      const [row] = await db.query<{ id: number }>('select id::int from salesforce_connections');
      assert.deepEqual([landed.status, landed.headers.get('location')], [303, `/connections?connected=${row!.id}`]);

      const taken = await fetch(`${api.base}/api/salesforce-connections/authorize?name=Prod&loginUrl=${encodeURIComponent(standIn.url)}`, {
        headers: { authorization: `Bearer ${adminKey}`, accept: 'text/html' },
        redirect: 'manual',
      });
      const refused = new URL(taken.headers.get('location')!, api.base);
      assert.deepEqual([taken.status, refused.pathname, Object.fromEntries(refused.searchParams)], [
        303, '/connections', { refusedCode: 'CONFLICT', refusedMessage: 'a Salesforce connection named "Prod" already exists' },
      ]);
    });
  });

  describe('POST (headless)', () => {
    it('connects with the JWT bearer flow and extracts with it', async () => {
      const reply = await send('POST', '/api/salesforce-connections', { flow: 'jwt', name: 'Headless', loginUrl: standIn.url, clientId: standIn.app.clientId, username: standIn.user.username, privateKey });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      assert.deepEqual((reply.body as { flow: string; username: string }).username, standIn.user.username);
      const result = await syncWith((reply.body as { id: number }).id);
      assert.equal(result.state, 'succeeded', result.error?.message);
      const [row] = await db.query<{ private_key_sealed: string }>('select private_key_sealed from salesforce_connections');
      assert.ok(!row!.private_key_sealed.includes('PRIVATE KEY'));
    });

    it('refuses a wrong password with Salesforce error code, never echoing the password', async () => {
      const reply = await send('POST', '/api/salesforce-connections', { flow: 'password', name: 'Soap', loginUrl: standIn.url, username: standIn.user.username, password: 'wrong-secret-123' });
      assert.deepEqual([reply.status, reply.body], [
        400,
        { error: { code: 'SALESFORCE_AUTH_FAILED', message: 'Salesforce connection "Soap": logging in with username and password was refused: INVALID_LOGIN (Invalid username, password, security token; or user locked out.)' } },
      ]);
      assert.deepEqual(await db.query('select * from salesforce_connections'), []);
    });

    it('refuses a login server over plain http, which would send the credentials in clear, before logging in', async () => {
      const { username, password } = standIn.user;
      const plain = `http://login.example.com:${new URL(standIn.url).port}`;
      const reply = await send('POST', '/api/salesforce-connections', { flow: 'password', name: 'Clear', loginUrl: plain, username, password });
      const authorize = await api.request(`/api/salesforce-connections/authorize?name=Clear&loginUrl=${encodeURIComponent(plain)}`, { headers: { authorization: `Bearer ${adminKey}` }, redirect: 'manual' });
      const refusal = { error: { code: 'BAD_REQUEST', message: 'invalid Salesforce connection: loginUrl: must use https (plain http only on a loopback address)' } };
      assert.deepEqual([reply.status, reply.body, authorize.status, authorize.body], [400, refusal, 400, refusal]);
      assert.deepEqual(standIn.requests.length, 0);
    });

    it('logs in by SOAP with the security token appended when no Connected App is given', async () => {
      const { username, password, securityToken } = standIn.user;
      const reply = await send('POST', '/api/salesforce-connections', { flow: 'password', name: 'Soap', loginUrl: standIn.url, username, password, securityToken });
      assert.equal(reply.status, 201, JSON.stringify(reply.body));
      assert.equal((await syncWith((reply.body as { id: number }).id)).state, 'succeeded');
    });
  });

  describe('PATCH and DELETE', () => {
    it('renames a connection, refuses a taken name, and removes one only with force while a workflow uses it', async () => {
      const { username, password, securityToken } = standIn.user;
      const first = (await send('POST', '/api/salesforce-connections', { flow: 'password', name: 'Org A', loginUrl: standIn.url, username, password, securityToken })).body as { id: number };
      await send('POST', '/api/salesforce-connections', { flow: 'password', name: 'Org B', loginUrl: standIn.url, username, password, securityToken });
      const renamed = await send('PATCH', `/api/salesforce-connections/${first.id}`, { name: 'Sales org' });
      assert.deepEqual([renamed.status, (renamed.body as { name: string }).name], [200, 'Sales org']);
      const taken = await send('PATCH', `/api/salesforce-connections/${first.id}`, { name: 'Org B' });
      assert.deepEqual([taken.status, taken.body], [409, { error: { code: 'CONFLICT', message: 'a Salesforce connection named "Org B" already exists' } }]);

      const workflow = await send('POST', '/api/workflows', {
        name: 'Daily Salesforce',
        definition: {
          tasks: [
            { type: 'extract', name: 'Accounts', object: 'accounts', source: 'salesforce', connectionId: first.id, listView: 'All_Accounts' },
            { type: 'load', name: 'Load', extracts: { accounts: 'Accounts' } },
          ],
        },
      });
      assert.equal(workflow.status, 201, JSON.stringify(workflow.body));
      const workflowId = (workflow.body as { id: number }).id;
      const refused = await send('DELETE', `/api/salesforce-connections/${first.id}`);
      assert.deepEqual([refused.status, refused.body], [
        409,
        { error: { code: 'CONFLICT', message: `Salesforce connection ${first.id} is used by workflow "Daily Salesforce" (${workflowId}): removing it breaks them; add ?force=true to remove it anyway` } },
      ]);
      const forced = await send('DELETE', `/api/salesforce-connections/${first.id}?force=true`);
      assert.deepEqual([forced.status, forced.body], [200, { deleted: first.id, brokenWorkflows: [{ id: workflowId, name: 'Daily Salesforce' }] }]);
      assert.deepEqual(((await api.get('/api/salesforce-connections')).body as { items: { name: string }[] }).items.map((c) => c.name), ['Org B']);
    });

    it('refuses a workflow whose Salesforce extract leaves out a required field', async () => {
      const reply = await send('POST', '/api/workflows', {
        name: 'Broken',
        definition: {
          tasks: [
            { type: 'extract', name: 'Contacts', object: 'contacts', source: 'salesforce', connectionId: 1, fields: ['Id', 'IsDeleted', 'Email'] },
            { type: 'load', name: 'Load', extracts: { contacts: 'Contacts' } },
          ],
        },
      });
      assert.equal(reply.status, 400);
      assert.match((reply.body as { error: { message: string } }).error.message, /tasks\.0\.fields: the required fields Title, Account\.Id, FirstName, LastName cannot be left out/);
    });
  });
});
