import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig } from '../../core/config.ts';

describe('loadConfig', () => {
  it('reads CORS_ORIGINS as a comma-separated list of origins', () => {
    assert.deepEqual(loadConfig({ CORS_ORIGINS: 'https://portal.example.com, https://acme.my.salesforce.com:443,http://localhost:5173' }).corsOrigins, [
      'https://portal.example.com',
      'https://acme.my.salesforce.com',
      'http://localhost:5173',
    ]);
    assert.deepEqual(loadConfig({}).corsOrigins, []);
  });

  it('refuses an origin with a path, a wildcard, and a short embed token key', () => {
    assert.throws(() => loadConfig({ CORS_ORIGINS: 'https://portal.example.com/app' }), /CORS_ORIGINS lists origins such as https:\/\/portal\.example\.com/);
    assert.throws(() => loadConfig({ CORS_ORIGINS: '*' }), /CORS_ORIGINS lists origins/);
    assert.throws(() => loadConfig({ EMBED_TOKEN_KEY: 'short' }), /EMBED_TOKEN_KEY must be at least 32 characters/);
  });

  it('puts the import folder in the data folder unless IMPORT_DIR names another, as absolute paths', () => {
    assert.deepEqual(
      [loadConfig({ BELLWETHER_DATA_DIR: '/srv/bellwether' }).importDir, loadConfig({ IMPORT_DIR: 'exports' }).importDir],
      ['/srv/bellwether/imports', path.resolve('exports')],
    );
  });

  it('reads the CSV field limit, 64 KiB unless set, and refuses one that leaves memory unbounded', () => {
    assert.equal(loadConfig({}).csvMaxFieldBytes, 65536);
    assert.equal(loadConfig({ CSV_MAX_FIELD_BYTES: '200000' }).csvMaxFieldBytes, 200000);
    assert.throws(() => loadConfig({ CSV_MAX_FIELD_BYTES: '1000000000' }), /CSV_MAX_FIELD_BYTES is a number of bytes from 1024 to 16777216/);
    assert.deepEqual([loadConfig({}).salesforceApiShare, loadConfig({ SALESFORCE_API_SHARE: '0.5' }).salesforceApiShare], [0.25, 0.5]);
    assert.throws(() => loadConfig({ SALESFORCE_API_SHARE: '0' }), /SALESFORCE_API_SHARE is a share of the daily API requests above 0, at most 1/);
  });

  it('reads the upload limit, 200 MB unless set, and refuses one outside 1 KB to 10 GB', () => {
    assert.deepEqual([loadConfig({}).uploadMaxBytes, loadConfig({ UPLOAD_MAX_BYTES: '1048576' }).uploadMaxBytes], [200 * 1024 * 1024, 1048576]);
    assert.throws(() => loadConfig({ UPLOAD_MAX_BYTES: '100' }), /UPLOAD_MAX_BYTES is a number of bytes from 1024 to 10737418240/);
  });

  it('serves the demo page unless BELLWETHER_DEMO=off, and accepts only on or off', () => {
    assert.deepEqual([loadConfig({}).demo, loadConfig({ BELLWETHER_DEMO: 'on' }).demo, loadConfig({ BELLWETHER_DEMO: 'off' }).demo], [true, true, false]);
    assert.throws(() => loadConfig({ BELLWETHER_DEMO: 'no' }), /BELLWETHER_DEMO/);
  });

  it('reads ADMIN_EMAIL and ADMIN_PASSWORD together, the password at least 12 characters', () => {
    assert.deepEqual(loadConfig({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'twelve chars' }).firstAdmin, { email: 'root@example.com', password: 'twelve chars' });
    assert.equal(loadConfig({}).firstAdmin, undefined);
    assert.throws(() => loadConfig({ ADMIN_EMAIL: 'root@example.com' }), /ADMIN_EMAIL and ADMIN_PASSWORD are set together/);
    assert.throws(() => loadConfig({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'short' }), /ADMIN_PASSWORD must be at least 12 characters/);
  });

  it('signs people in through Salesforce at SALESFORCE_LOGIN_URL, login.salesforce.com unless set, over https only', () => {
    const app = { SALESFORCE_CLIENT_ID: '3MVG9.id', SALESFORCE_CLIENT_SECRET: 'secret', PUBLIC_URL: 'https://bw.example.com' };
    assert.deepEqual(loadConfig(app).salesforceApp, { clientId: '3MVG9.id', clientSecret: 'secret', callbackUrl: 'https://bw.example.com/oauth/salesforce/callback', loginUrl: 'https://login.salesforce.com' });
    assert.equal(loadConfig({ ...app, SALESFORCE_LOGIN_URL: 'https://acme.my.salesforce.com/' }).salesforceApp?.loginUrl, 'https://acme.my.salesforce.com');
    assert.throws(() => loadConfig({ ...app, SALESFORCE_LOGIN_URL: 'http://acme.my.salesforce.com' }), /SALESFORCE_LOGIN_URL.*must use https/);
  });
});
