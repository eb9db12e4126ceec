import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { createSurvey } from '../../core/surveys/queries.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { sentToAcme } from './distribution-fixture.ts';
import { loadAcme } from './fixture.ts';
import { addUser, sessionCookieOf, signIn } from './people-fixture.ts';
import { adminKey, serve, testApp, testPortalOrigin, type Served } from './serve.ts';
import { loadWidgetDirectory } from './widgets/fixture.ts';

/** What the console's survey builder, widget designer and their lists read and change. */
describe('the API behind the survey builder and the widget designer', function () {
  this.timeout(30_000);
  let db: Db;
  let api: Served;

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    api = await serve(db);
  });
  afterEach(() => api.close());

  const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
  const call = (method: string, path: string, body?: unknown) => api.request(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const raw = (path: string, init: RequestInit = {}) => fetch(api.base + path, { ...init, headers: { authorization: `Bearer ${adminKey}`, ...init.headers } });

  describe('GET /api/surveys/preview', () => {
    it('renders the page for texts not saved, in the brand colour with the logo, framed by this origin only, and stores nothing', async () => {
      const survey = {
        title: 'Acme & you', question: 'Would you recommend <us>?', commentQuestion: null, brandColor: '#0B6E4F', logoUrl: 'https://cdn.acme.example/logo.svg',
        extraQuestions: [{ key: 'csat', text: 'Support?', min: 1, max: 3, minLabel: 'Poor', maxLabel: 'Great' }], thankYou: 'Thanks',
      };
      const response = await raw(`/api/surveys/preview?survey=${encodeURIComponent(JSON.stringify(survey))}`);
      const page = await response.text();
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-security-policy')!, /frame-ancestors 'self'; sandbox/);
      assert.match(response.headers.get('content-security-policy')!, /form-action 'none'/);
      assert.equal(response.headers.get('x-frame-options'), 'SAMEORIGIN');
      assert.ok(page.includes(':root{--brand:#0b6e4f}'), 'the brand colour, as saved (lower case)');
      assert.ok(page.includes('<img class="logo" src="https://cdn.acme.example/logo.svg" alt="">'));
      assert.ok(page.includes('<h1>Acme &amp; you</h1>') && page.includes('<legend>Would you recommend &lt;us&gt;?</legend>'));
      assert.deepEqual([...page.matchAll(/name="q_csat" value="(\d+)"/g)].map((m) => m[1]), ['1', '2', '3']);
      assert.ok(!page.includes('<textarea'), 'no comment box when the survey asks for none');
      assert.deepEqual(await db.query('select count(*)::int as n from surveys'), [{ n: 0 }]);
    });

    it('shows why a survey would not save, naming the field', async () => {
      const response = await raw(`/api/surveys/preview?survey=${encodeURIComponent(JSON.stringify({ brandColor: 'green', logoUrl: 'http://insecure.example/x.png' }))}`);
      const page = await response.text();
      assert.equal(response.status, 400);
      assert.ok(page.includes('brandColor: a colour is written #rrggbb, e.g. #0b6e4f'), page);
      assert.ok(page.includes('logoUrl: a logo is an https:// address'), page);
    });

    describe('with lang', () => {
      const survey = {
        title: 'Your feedback', extraQuestions: [{ key: 'csat', text: 'Support?', min: 1, max: 5 }],
        translations: { de: { title: 'Ihre Meinung', question: 'Würden Sie uns empfehlen?', extraQuestions: { csat: { text: 'Unser Support?' } } } },
      };
      const previewIn = (lang: string) => raw(`/api/surveys/preview?lang=${lang}&survey=${encodeURIComponent(JSON.stringify(survey))}`);

      it('shows the page in that language, its texts left out taken from the default language', async () => {
        const response = await previewIn('de');
        const page = await response.text();
        assert.equal(response.status, 200);
        assert.ok(page.includes('<html lang="de">') && page.includes('<h1>Ihre Meinung</h1>'), page);
        assert.ok(page.includes('<legend>Würden Sie uns empfehlen?</legend>') && page.includes('<legend>Unser Support?</legend>'), page);
        assert.ok(page.includes('aria-current="page" lang="de">Deutsch</a>'), 'the language links mark German as shown');
        const english = await (await previewIn('en')).text();
        assert.ok(english.includes('<html lang="en">') && english.includes('<h1>Your feedback</h1>'), english);
      });

      it('refuses a language the survey has not with a page naming those it has, and a malformed code with the JSON error', async () => {
        const missing = await previewIn('fr');
        assert.equal(missing.status, 400);
        assert.ok((await missing.text()).includes('It has no texts in &quot;fr&quot;: its languages are en, de.'));
        const posted = await raw('/api/surveys/preview?lang=fr', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(survey) });
        assert.equal(posted.status, 400);
        const malformed = await previewIn('deutsch');
        assert.deepEqual([malformed.status, ((await malformed.json()) as { error: { message: string } }).error.message], [400, 'query parameter "lang" must be a language code, e.g. "en", "de" or "pt-br"']);
      });

      it('shows a posted survey in that language too', async () => {
        const posted = await raw('/api/surveys/preview?lang=de', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(survey) });
        assert.equal(posted.status, 200);
        assert.ok((await posted.text()).includes('<h1>Ihre Meinung</h1>'));
      });
    });
  });

  describe('a survey page opened through a distribution', () => {
    it('shows the brand and logo, counts each open and the recipients who opened, and lists every recipient with its state', async () => {
      const { distributionId, adaLink } = await sentToAcme(db, api.base, { brandColor: '#aa3300', logoUrl: 'https://acme.example/logo.png' });
      const link = new URL(adaLink).pathname;

      const first = await fetch(api.base + link);
      const page = await first.text();
      assert.ok(page.includes(':root{--brand:#aa3300}') && page.includes('src="https://acme.example/logo.png"'));
      assert.match(first.headers.get('content-security-policy')!, /img-src https:/);
      await fetch(api.base + link);
      await fetch(api.base + link, { method: 'POST', body: new URLSearchParams({ score: '9' }) });

      const summary = (await call('GET', `/api/distributions/${distributionId}`)).body as Record<string, unknown>;
      assert.deepEqual([summary.recipients, summary.skipped, summary.pageOpens, summary.openedBy, summary.answers], [
        { pending: 0, sending: 0, sent: 2, failed: 0, skipped: 1, inDoubt: 0 }, { opted_out: 1 }, 2, 1, 1,
      ]);
      const recipients = (await call('GET', `/api/distributions/${distributionId}/recipients`)).body as { total: number; items: Record<string, unknown>[] };
      assert.deepEqual(recipients.items.map((r) => [r.contactExternalId, r.state, r.skipReason, r.openedAt !== null, r.answeredAt !== null]), [
        ['003A', 'sent', null, true, true],
        ['003B', 'sent', null, false, false],
        ['003C', 'skipped', 'opted_out', false, false],
      ]);
      const skipped = (await call('GET', `/api/distributions/${distributionId}/recipients?state=skipped`)).body as { total: number; items: { contactExternalId: string }[] };
      assert.deepEqual([skipped.total, skipped.items.map((r) => r.contactExternalId)], [1, ['003C']]);
      const refused = await call('GET', `/api/distributions/${distributionId}/recipients?state=lost`);
      assert.equal(refused.status, 400);
    });
  });

  describe('GET /api/responses and /api/responses.csv', () => {
    beforeEach(async () => {
      await loadAcme(db);
      const { id: surveyId } = await createSurvey(db, { name: 'Relationship' });
      await db.query(
        `insert into nps_responses (directory_id, contact_external_id, account_external_id, survey_id, score, comment, responded_at) values
          (1, '003A', '001A', $1, 9, 'Quick support', '2026-03-01T10:00:00Z'),
          (1, '003B', '001A', $1, 3, '=HYPERLINK("http://evil.example")', '2026-03-02T23:59:59Z'),
          (1, '003C', '001B', null, 6, null, '2026-03-03T00:00:00Z'),
          (1, '003D', '001E', $1, 10, 'Line one
line two', '2026-02-28T12:00:00Z')`,
        [surveyId],
      );
    });

    const contacts = async (query: string) => ((await call('GET', `/api/responses?${query}`)).body as { total: number; items: { contactExternalId: string }[] });

    it('filters by survey (or the imported histories), score range and day range, newest first', async () => {
      const [{ id }] = (await db.query<{ id: number }>(`select id::int from surveys`)) as [{ id: number }];
      const all = await contacts('');
      assert.deepEqual([all.total, all.items.map((a) => a.contactExternalId)], [4, ['003C', '003B', '003A', '003D']]);
      assert.deepEqual((await contacts(`survey=${id}`)).items.map((a) => a.contactExternalId), ['003B', '003A', '003D']);
      assert.deepEqual((await contacts('survey=imported')).items.map((a) => a.contactExternalId), ['003C']);
      assert.deepEqual((await contacts('minScore=6&maxScore=9')).items.map((a) => a.contactExternalId), ['003C', '003A']);
      // Days are whole UTC days, both ends included: 23:59:59 on the 2nd is in, midnight of the 3rd is not.
      assert.deepEqual((await contacts('from=2026-03-01&to=2026-03-02')).items.map((a) => a.contactExternalId), ['003B', '003A']);
      const bad = await call('GET', '/api/responses?minScore=8&maxScore=2');
      assert.deepEqual(bad.body, { error: { code: 'BAD_REQUEST', message: 'query parameter "minScore" (8) is above "maxScore" (2)' } });
    });

    it('gives the same selection as CSV, with a formula kept as text', async () => {
      const response = await raw('/api/responses.csv?maxScore=9&from=2026-03-02');
      assert.equal(response.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.equal(await response.text(), [
        'responded_at,survey,contact_id,account_id,score,comment,answers',
        '2026-03-03 00:00:00+00,,003C,001B,6,,{}',
        `2026-03-02 23:59:59+00,Relationship,003B,001A,3,"'=HYPERLINK(""http://evil.example"")",{}`,
        '',
      ].join('\n'));
    });
  });

  describe('POST /api/responses/from-upload', () => {
    it('imports an uploaded history with its own column names and time format, naming each rejected row', async () => {
      await loadAcme(db);
      const csv = 'Respondent;Customer;Rating;Why;Date\n003A;001A;8;Fine;01/02/2026 09:30\n003B;;11;;02/02/2026 10:00\n003C;;5;;2026-02-03\n';
      const upload = await api.request('/api/uploads?name=history.csv', { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'text/csv' }, body: csv.replaceAll(';', ',') });
      const { id } = upload.body as { id: number };
      assert.deepEqual((await call('GET', `/api/uploads/${id}/columns`)).body, { upload: id, name: 'history.csv', columns: ['Respondent', 'Customer', 'Rating', 'Why', 'Date'] });

      const mapping = { contactId: 'Respondent', accountId: 'Customer', score: 'Rating', comment: 'Why', respondedAt: 'Date', dateFormat: 'DD/MM/YYYY HH:mm' };
      const reply = await call('POST', '/api/responses/from-upload', { upload: id, mapping });
      assert.deepEqual([reply.status, reply.body], [200, {
        inserted: 1, unchanged: 0, rejected: 2,
        errors: [
          { line: 3, field: 'Rating', message: 'Rating "11" is not a whole number from 0 to 10' },
          { line: 4, field: 'Date', message: 'value "2026-02-03" is not a time in the format DD/MM/YYYY HH:mm' },
        ],
      }]);
      assert.deepEqual(await db.query(`select contact_external_id, score, comment, to_char(responded_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') as at from nps_responses`), [
        { contact_external_id: '003A', score: 8, comment: 'Fine', at: '2026-02-01 09:30' },
      ]);

      const missing = await call('POST', '/api/responses/from-upload', { upload: id, mapping: { contactId: 'Who' } });
      assert.equal(missing.status, 400);
      assert.match((missing.body as { error: { message: string } }).error.message, /^history\.csv: missing column "Who", "Score", "Responded_At"/);
      const unknown = await call('POST', '/api/responses/from-upload', { upload: 999, mapping });
      assert.deepEqual(unknown.body, { error: { code: 'NOT_FOUND', message: 'upload 999 does not exist' } });
    });
  });

  describe('allowed origins', () => {
    const preflight = (origin: string) =>
      fetch(`${api.base}/api/widgets/strategic-accounts?config=1`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });

    it('adds an origin the widget API then answers at once, keeps honouring CORS_ORIGINS, and removes it again', async () => {
      const portal = 'https://intranet.acme.example';
      assert.equal((await preflight(portal)).status, 403);
      assert.equal((await preflight(testPortalOrigin)).headers.get('access-control-allow-origin'), testPortalOrigin);

      const added = await call('POST', '/api/allowed-origins', { origin: `${portal}/` });
      assert.deepEqual([added.status, (added.body as { origin: string; source: string }).origin, (added.body as { source: string }).source], [201, portal, 'console']);
      const allowed = await preflight(portal);
      assert.deepEqual([allowed.status, allowed.headers.get('access-control-allow-origin')], [204, portal]);

      const listed = (await call('GET', '/api/allowed-origins')).body as { items: { origin: string; source: string }[] };
      assert.deepEqual(listed.items.map((o) => [o.origin, o.source]), [[testPortalOrigin, 'environment'], [portal, 'console']]);

      const fromEnvironment = await call('DELETE', `/api/allowed-origins?origin=${encodeURIComponent(testPortalOrigin)}`);
      assert.deepEqual(fromEnvironment.body, { error: { code: 'CONFLICT', message: `${testPortalOrigin} is allowed by CORS_ORIGINS: remove it there` } });
      assert.equal((await call('DELETE', `/api/allowed-origins?origin=${encodeURIComponent(portal)}`)).status, 204);
      assert.equal((await preflight(portal)).status, 403);
    });

    it('refuses what is not an origin, and a change by an editor', async () => {
      const withPath = await call('POST', '/api/allowed-origins', { origin: 'https://portal.example.com/app' });
      assert.deepEqual(withPath.body, { error: { code: 'BAD_REQUEST', message: 'origin: "https://portal.example.com/app" has more than an origin; a browser sends only https://portal.example.com' } });
      const notHttp = await call('POST', '/api/allowed-origins', { origin: 'ftp://files.example.com' });
      assert.equal(notHttp.status, 400);

      await api.close();
      api = await serve(db, undefined, undefined, await testApp(db, undefined, undefined, []));
      await addUser(db, 'ed@bellwether.example', 'editor');
      const cookie = sessionCookieOf(await signIn(api, 'ed@bellwether.example'));
      const session = { cookie, origin: api.base, 'content-type': 'application/json' };
      assert.equal((await api.request('/api/allowed-origins', { headers: session })).status, 200);
      const refused = await api.request('/api/allowed-origins', { method: 'POST', headers: session, body: JSON.stringify({ origin: 'https://portal.example.com' }) });
      assert.deepEqual(refused.body, { error: { code: 'FORBIDDEN', message: 'POST /api/allowed-origins needs the admin role; ed@bellwether.example is an editor' } });
    });
  });

  describe('POST /api/widget-configs/preview', () => {
    it('answers what the widget would show with a configuration not saved, and refuses one a save would refuse', async () => {
      await loadWidgetDirectory(db);
      const draft = { keyMetrics: [{ label: 'Seats', field: 'attribute:seats', format: 'number' }], columns: [{ field: 'attribute:industry', label: 'Industry' }] };
      const reply = await call('POST', '/api/widget-configs/preview?sort=client&pageSize=2', draft);
      const body = reply.body as { config: unknown; total: number; columns: { label: string }[]; accounts: { name: string; metrics: { label: string; value: string | null }[]; values: Record<string, unknown> }[] };
      assert.equal(reply.status, 200);
      assert.deepEqual([body.config, body.total], [{ id: 0, name: 'Preview' }, 5]);
      assert.deepEqual(body.accounts.map((a) => [a.name, a.metrics.map((m) => [m.label, m.value]), Object.values(a.values)]), [
        ['Alpha GmbH', [['Seats', '250']], ['Manufacturing']],
        ['Beta AG', [['Seats', '40']], ['Retail']],
      ]);
      assert.deepEqual(await db.query('select count(*)::int as n from widget_configs'), [{ n: 0 }]);

      const refused = await call('POST', '/api/widget-configs/preview', { columns: [{ field: 'nps' }] });
      assert.equal(refused.status, 400);
      assert.match((refused.body as { error: { message: string } }).error.message, /columns\.0\.field: "nps" is not a field of the B2B dataset/);
    });
  });
});
