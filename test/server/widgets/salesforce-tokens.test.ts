import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../../core/db.ts';
import { testDatabase } from '../../helpers/hooks.ts';
import { adminKey, type Served } from '../serve.ts';
import { servedWidget } from './fixture.ts';

// Apex cannot run here (it needs an org), so the token is built from the class's own source: its
// header literal and its claims in the order it writes them, with base64 made url-safe and unpadded
// by the same replacements, and HMAC-SHA256 over the same text with the key decoded from base64.
const classes = path.join(import.meta.dirname, '..', '..', '..', 'widget', 'salesforce', 'force-app', 'main', 'default', 'classes');

type Apex = { header: string; issuer: string; audience: string; claims: { name: string; kind: 'String' | 'Number' }[] };

async function readApex(): Promise<Apex> {
  const source = await readFile(path.join(classes, 'BellwetherEmbedToken.cls'), 'utf8');
  const constant = (name: string) => new RegExp(`static final String ${name} = '([^']*)';`).exec(source)?.[1] ?? assert.fail(`the class has no ${name}`);
  const claims = [...source.matchAll(/claims\.write(String|Number)Field\('(\w+)'/g)].map((m) => ({ name: m[2]!, kind: m[1] as 'String' | 'Number' }));
  assert.match(source, /Crypto\.generateMac\('hmacSHA256', Blob\.valueOf\(unsigned\), EncodingUtil\.base64Decode\(signingKey\)\)/);
  assert.match(source, /EncodingUtil\.base64Encode\(value\)\.replace\('\+', '-'\)\.replace\('\/', '_'\)\.replace\('=', ''\)/);
  assert.match(source, /UserInfo\.getUserEmail\(\)/);
  return { header: constant('HEADER'), issuer: constant('ISSUER'), audience: constant('AUDIENCE'), claims };
}

/** What the Apex class's base64Url does to EncodingUtil.base64Encode's output. */
const base64Url = (bytes: Buffer) => bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, '');

/** A token as BellwetherEmbedToken.build writes it. */
function buildAsApex(apex: Apex, key: string, values: { cfg: number; dir: number; email: string; iat: number; exp: number }): string {
  const all: Record<string, string | number> = { iss: apex.issuer, aud: apex.audience, ...values };
  // JSONGenerator writes compact JSON, fields in the order written.
  const json = `{${apex.claims.map(({ name, kind }) => `${JSON.stringify(name)}:${kind === 'String' ? JSON.stringify(all[name]) : String(all[name])}`).join(',')}}`;
  const unsigned = `${base64Url(Buffer.from(apex.header))}.${base64Url(Buffer.from(json))}`;
  return `${unsigned}.${base64Url(createHmac('sha256', Buffer.from(key, 'base64')).update(unsigned).digest())}`;
}

describe('embed tokens minted per user inside Salesforce (BellwetherEmbedToken.cls)', () => {
  let api: Served;
  let db: Db;
  let configId: number;
  let apex: Apex;
  let key: string;

  beforeEach(async function () {
    ({ db } = await testDatabase(this));
    ({ api, configId } = await servedWidget(db));
    apex = await readApex();
    const reply = await api.get('/api/embed-tokens/signing-key', { key: adminKey });
    assert.equal(reply.status, 200);
    key = (reply.body as { key: string }).key;
  });
  afterEach(() => api.close());

  const now = () => Math.floor(Date.now() / 1000);
  const show = async (token: string) => {
    const reply = await api.get(`/api/widgets/strategic-accounts?config=${configId}&asOf=2026-02-15`, { key: token });
    return reply.status === 200 ? (reply.body as { accounts: { name: string }[] }).accounts.map((a) => a.name) : [reply.status, (reply.body as { error: { message: string } }).error.message];
  };

  it('accepts a token built the way the Apex builds it, and shows only the running user\'s accounts', async () => {
    assert.deepEqual(apex.claims.map((c) => c.name), ['iss', 'aud', 'cfg', 'dir', 'email', 'iat', 'exp']);
    assert.equal(apex.header, '{"alg":"HS256","typ":"JWT"}');
    const alice = buildAsApex(apex, key, { cfg: configId, dir: 1, email: 'alice@seller.example', iat: now(), exp: now() + 600 });
    const bob = buildAsApex(apex, key, { cfg: configId, dir: 1, email: 'bob@seller.example', iat: now(), exp: now() + 600 });
    assert.ok(!alice.includes('=') && !/[+/]/.test(alice), alice);
    assert.deepEqual([await show(alice), await show(bob)], [['Alpha GmbH', 'Beta AG'], ['Gamma Ltd']]);
  });

  it('refuses a token signed with another key, and one that expired', async () => {
    const wrongKey = Buffer.from('another-key-of-thirty-two-characters!').toString('base64');
    const forged = buildAsApex(apex, wrongKey, { cfg: configId, dir: 1, email: 'alice@seller.example', iat: now(), exp: now() + 600 });
    const expired = buildAsApex(apex, key, { cfg: configId, dir: 1, email: 'alice@seller.example', iat: now() - 1200, exp: now() - 600 });
    assert.deepEqual(await show(forged), [401, 'the embed token is not valid (not signed by this server, changed, or malformed)']);
    assert.deepEqual(await show(expired), [401, `the embed token expired at ${new Date((now() - 600) * 1000).toISOString()}: ask for a new one`]);
  });

  it('gives the signing key to the admin key only', async () => {
    const reply = await api.get('/api/embed-tokens/signing-key', { key: null });
    assert.equal(reply.status, 401);
  });
});
