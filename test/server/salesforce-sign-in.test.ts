import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { salesforceSignInExpiryMs } from '../../server/people/salesforce-sign-in.ts';
import { freePort } from '../helpers/database.ts';
import { startStandIn, type SalesforceStandIn } from '../helpers/salesforce/stand-in.ts';
import { browser, clockStart, serveWithPeople } from './people-fixture.ts';
import { adminKey, testPublicUrl, type Served } from './serve.ts';

describe('signing in with Salesforce', function () {
  this.timeout(60_000);
  let db: Db;
  let api: Served;
  let standIn: SalesforceStandIn;
  let clock: number;

  beforeEach(async function () {
    standIn = await startStandIn();
    const port = await freePort();
    const salesforceApp = { clientId: standIn.app.clientId, clientSecret: standIn.app.clientSecret, callbackUrl: `http://localhost:${port}/oauth/salesforce/callback`, loginUrl: standIn.url };
    standIn.app.callbackUrl = salesforceApp.callbackUrl;
    clock = clockStart;
    ({ db, api } = await serveWithPeople(this, { 'ann@example.com': 'admin', 'ed@example.com': 'editor' }, { salesforceApp, now: () => new Date(clock) }, port));
  });
  afterEach(async () => {
    await api.close();
    await standIn.close();
  });

  /** A browser: the console's button, Salesforce's login page (as `user`), back to the callback; where it lands and the cookies it got. */
  async function signInAs(user: { email: string; emailVerified?: boolean }, options: { keepCookie?: boolean } = {}) {
    standIn.user = { ...standIn.user, username: `${user.email.split('@')[0]}@acme.my.salesforce.com`, ...user };
    const start = await fetch(`${api.base}/api/session/salesforce`, { redirect: 'manual' });
    assert.equal(start.status, 302);
    const login = new URL(start.headers.get('location')!);
    assert.equal(`${login.origin}${login.pathname}`, `${standIn.url}/services/oauth2/authorize`);
    assert.deepEqual([login.searchParams.get('scope'), login.searchParams.get('code_challenge_method')], ['openid email profile', 'S256']);
    const stateCookie = start.headers.getSetCookie()[0]!.split(';')[0]!;
    const consent = await fetch(login, { redirect: 'manual' });
    const callback = consent.headers.get('location')!;
    const landed = await fetch(callback, { redirect: 'manual', headers: options.keepCookie === false ? {} : { cookie: stateCookie } });
    const session = landed.headers.getSetCookie().find((c) => c.startsWith('bw_session='))?.split(';')[0];
    return { status: landed.status, location: landed.headers.get('location'), session, callback, stateCookie };
  }

  const whoIs = async (cookie: string | undefined) => (await api.request('/api/session', { headers: cookie ? { cookie } : {} })).body;

  it('offers Salesforce among the sign-in methods', async () => {
    assert.deepEqual((await api.get('/api/session/methods', { key: null })).body, { password: true, salesforce: true });
  });

  it('signs an existing user in by their verified email, whatever its case, with a session like a password gives', async () => {
    const landed = await signInAs({ email: 'Ann@Example.COM' });
    assert.deepEqual([landed.status, landed.location], [302, '/']);
    assert.deepEqual(await whoIs(landed.session), { user: { id: 1, email: 'ann@example.com', name: 'ann', role: 'admin' } });
    assert.equal((await api.request('/api/users', { headers: { cookie: landed.session! } })).status, 200);
    const [signedIn] = await db.query<{ at: Date }>(`select last_sign_in_at as at from users where email = 'ann@example.com'`);
    assert.equal(signedIn!.at.getTime(), clock);

    const replayed = await fetch(landed.callback, { redirect: 'manual', headers: { cookie: landed.stateCookie } });
    assert.deepEqual([replayed.status, replayed.headers.get('location')], [302, '/sign-in?refused=expired']);
  });

  it('refuses an email no user has, and one Salesforce has not verified, back on the sign-in page without a session', async () => {
    const unknown = await signInAs({ email: 'mallory@example.com' });
    assert.deepEqual([unknown.status, unknown.location, unknown.session], [302, '/sign-in?refused=unknown', undefined]);
    const unverified = await signInAs({ email: 'ann@example.com', emailVerified: false });
    assert.deepEqual([unverified.status, unverified.location, unverified.session], [302, '/sign-in?refused=unverified', undefined]);
    assert.equal((await db.query('select from sessions')).length, 0);
  });

  it('accepts an open invitation, whose link then no longer works; refuses a deactivated user and an expired invitation', async () => {
    const admin = await browser(api, 'ann@example.com');
    assert.equal((await admin.send('POST', '/api/users', { email: 'vi@example.com', role: 'viewer' })).status, 201);
    const [mail] = await db.query<{ text: string }>(`select text from outbox_messages where mail_to = 'vi@example.com'`);
    const token = new URL(new RegExp(`${testPublicUrl}/invite\\?token=[\\w-]+`).exec(mail!.text)![0]).searchParams.get('token')!;

    const landed = await signInAs({ email: 'vi@example.com' });
    assert.deepEqual([landed.status, landed.location], [302, '/']);
    assert.deepEqual(await whoIs(landed.session), { user: { id: 3, email: 'vi@example.com', name: 'vi', role: 'viewer' } });
    assert.equal((await api.get(`/api/invitations/${token}`, { key: null })).status, 404);

    assert.equal((await admin.send('PATCH', '/api/users/2', { active: false })).status, 200);
    const deactivated = await signInAs({ email: 'ed@example.com' });
    assert.deepEqual([deactivated.location, deactivated.session], ['/sign-in?refused=deactivated', undefined]);

    assert.equal((await admin.send('POST', '/api/users', { email: 'late@example.com', role: 'viewer' })).status, 201);
    clock += 8 * 24 * 3600_000;
    const late = await signInAs({ email: 'late@example.com' });
    assert.deepEqual([late.location, late.session], ['/sign-in?refused=invitation-expired', undefined]);
  });

  it('refuses a callback without the browser that started it, one after 10 minutes, and a login Salesforce denied', async () => {
    const elsewhere = await signInAs({ email: 'ann@example.com' }, { keepCookie: false });
    assert.deepEqual([elsewhere.status, elsewhere.location, elsewhere.session], [302, '/sign-in?refused=expired', undefined]);

    const start = await fetch(`${api.base}/api/session/salesforce`, { redirect: 'manual' });
    const stateCookie = start.headers.getSetCookie()[0]!.split(';')[0]!;
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    const denied = await fetch(`${api.base}/oauth/salesforce/callback?state=${state}&error=access_denied&error_description=end-user+denied+authorization`, { redirect: 'manual', headers: { cookie: stateCookie } });
    assert.equal(denied.headers.get('location'), '/sign-in?refused=denied');

    const slow = await fetch(`${api.base}/api/session/salesforce`, { redirect: 'manual' });
    const login = new URL(slow.headers.get('location')!);
    const callback = (await fetch(login, { redirect: 'manual' })).headers.get('location')!;
    clock += salesforceSignInExpiryMs;
    const late = await fetch(callback, { redirect: 'manual', headers: { cookie: slow.headers.getSetCookie()[0]!.split(';')[0]! } });
    assert.equal(late.headers.get('location'), '/sign-in?refused=expired');
    assert.equal((await db.query('select from sessions')).length, 0);
  });

  it('refuses a code that another sign-in fetched: its PKCE verifier does not match', async () => {
    const stolen = new URL((await fetch(`${api.base}/api/session/salesforce`, { redirect: 'manual' })).headers.get('location')!);
    const code = new URL((await fetch(stolen, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
    const mine = await fetch(`${api.base}/api/session/salesforce`, { redirect: 'manual' });
    const state = new URL(mine.headers.get('location')!).searchParams.get('state')!;
    const landed = await fetch(`${api.base}/oauth/salesforce/callback?state=${state}&code=${code}`, { redirect: 'manual', headers: { cookie: mine.headers.getSetCookie()[0]!.split(';')[0]! } });
    assert.deepEqual([landed.headers.get('location'), landed.headers.getSetCookie().some((c) => c.startsWith('bw_session='))], ['/sign-in?refused=failed', false]);
  });

  it("leaves an org connection's callback to the connections, through the same callback URL", async () => {
    const start = await fetch(`${api.base}/api/salesforce-connections/authorize?name=Prod&loginUrl=${encodeURIComponent(standIn.url)}`, { headers: { authorization: `Bearer ${adminKey}` }, redirect: 'manual' });
    const callback = (await fetch(start.headers.get('location')!, { redirect: 'manual' })).headers.get('location')!;
    const landed = await fetch(callback);
    assert.deepEqual([landed.status, ((await landed.json()) as { name: string }).name], [201, 'Prod']);
  });
});

describe('signing in with Salesforce without a Connected App', function () {
  this.timeout(60_000);
  let api: Served;
  beforeEach(async function () {
    ({ api } = await serveWithPeople(this, {}));
  });
  afterEach(() => api.close());

  it('is not offered, and its start lands on the sign-in page saying what to configure', async () => {
    assert.deepEqual((await api.get('/api/session/methods', { key: null })).body, { password: true, salesforce: false });
    const start = await fetch(`${api.base}/api/session/salesforce`, { redirect: 'manual' });
    assert.deepEqual([start.status, start.headers.get('location')], [302, '/sign-in?refused=not-configured']);
  });
});
