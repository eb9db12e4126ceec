import assert from 'node:assert/strict';
import type { Db } from '../../core/db.ts';
import { testDatabase } from '../helpers/hooks.ts';
import { adminKey, serve, testApp, type Served } from './serve.ts';

const minute = 60_000;

describe('rate limits and security headers', () => {
  let db: Db;
  let api: Served;

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    api = await serve(db, undefined, undefined, await testApp(db, undefined, undefined, undefined, { rateLimits: { authFailures: { limit: 3, windowMs: 5 * minute }, surveyPages: { limit: 4, windowMs: minute } } }));
  });
  afterEach(() => api.close());

  const status = async (path: string, authorization?: string) => (await fetch(api.base + path, authorization ? { headers: { authorization } } : {})).status;

  describe('failed authentication', () => {
    it('refuses an address with 429 and Retry-After once it sent the limit of wrong keys and tokens, the right key too', async () => {
      // Neither successful requests nor requests without a key count.
      const uncounted = [];
      for (let i = 0; i < 5; i++) uncounted.push(await status('/api/accounts', `Bearer ${adminKey}`), await status('/api/accounts'));
      const failures = [
        await status('/api/accounts', 'Bearer a-wrong-admin-key-0123'),
        await status('/api/widgets/strategic-accounts?config=1', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.wrong-signature'),
        await status('/api/runs', 'Bearer another-wrong-admin-key-0123'),
      ];
      const refused = await fetch(`${api.base}/api/accounts`, { headers: { authorization: `Bearer ${adminKey}` } });
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.deepEqual(
        [uncounted, failures, refused.status, await refused.json(), retryAfter > 0 && retryAfter <= 300],
        [
          [200, 401, 200, 401, 200, 401, 200, 401, 200, 401],
          [401, 401, 401],
          429,
          { error: { code: 'RATE_LIMITED', message: `too many failed authentications from this address: try again in ${retryAfter} seconds` } },
          true,
        ],
      );
    });
  });

  describe('behind a reverse proxy (TRUST_PROXY=1)', () => {
    it("counts each client's failures apart, by the address the proxy forwards", async () => {
      const proxied = await serve(db, undefined, undefined, await testApp(db, undefined, undefined, undefined, { rateLimits: { authFailures: { limit: 1, windowMs: minute } }, trustProxy: 1 }));
      const from = async (client: string, key: string) => (await fetch(`${proxied.base}/api/accounts`, { headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': client } })).status;
      try {
        const wrong = 'a-wrong-admin-key-0123';
        assert.deepEqual([await from('203.0.113.7', wrong), await from('203.0.113.7', wrong), await from('198.51.100.4', adminKey)], [401, 429, 200]);
      } finally {
        await proxied.close();
      }
    });
  });

  describe('the public survey pages', () => {
    it('refuse an address that asks for more than the limit, as a token scan would', async () => {
      const answers = [];
      for (let i = 0; i < 5; i++) answers.push(await status(`/s/AAAAAAAAAAAAAAAAAAAAA${i}`));
      answers.push(await status('/o/AAAAAAAAAAAAAAAAAAAAAA'), await status('/api/accounts', `Bearer ${adminKey}`));
      assert.deepEqual(answers, [404, 404, 404, 404, 429, 429, 200]);
    });
  });

  describe('headers', () => {
    it('sends nosniff, no referrer and no framing everywhere, a CSP that fits each answer, and lets any site load the widget script', async () => {
      const headersOf = async (path: string) => {
        const h = (await fetch(api.base + path)).headers;
        return ['x-content-type-options', 'referrer-policy', 'x-frame-options', 'content-security-policy', 'cross-origin-resource-policy'].map((name) => h.get(name));
      };
      const common = ['nosniff', 'no-referrer', 'DENY'];
      const none = "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'";
      assert.deepEqual(
        [await headersOf('/api/health'), await headersOf('/s/AAAAAAAAAAAAAAAAAAAAAA'), await headersOf('/widget/strategic-accounts.js')],
        [
          [...common, none, 'same-origin'],
          // A survey's logo is the one thing its page loads, and only over https.
          [...common, "default-src 'none'; style-src 'unsafe-inline'; img-src https:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'", 'same-origin'],
          [...common, none, 'cross-origin'],
        ],
      );
    });
  });
});
