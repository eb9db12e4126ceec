import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { StrategicAccountsElement } from '../../widget/src/strategic-accounts.component.ts';

// The Salesforce metadata cannot run here (it needs an org), so these check that it stays in step
// with the element and with itself: a renamed attribute or property would fail silently in Salesforce.
const lwc = path.join(import.meta.dirname, '..', '..', 'widget', 'salesforce', 'force-app', 'main', 'default', 'lwc', 'bellwetherStrategicAccounts');
const read = (file: string) => readFile(path.join(lwc, file), 'utf8');

describe('the Salesforce Lightning web component', () => {
  it('renders <strategic-accounts> natively with attributes the element observes, in a closed shadow root', async () => {
    const html = await read('bellwetherStrategicAccounts.html');
    const tag = /<strategic-accounts\s([^>]*)>/.exec(html)?.[1] ?? '';
    const attributes = [...tag.matchAll(/([\w:-]+)=/g)].map((m) => m[1]);
    assert.match(tag, /^\s*lwc:external\s/);
    assert.match(tag, /shadow-mode="closed"/);
    const unknown = attributes.filter((a) => a !== 'shadow-mode' && !StrategicAccountsElement.observedAttributes.includes(a!));
    assert.deepEqual(unknown, []);
  });

  it('binds only its own public properties, and exposes each of them to the App Builder', async () => {
    const [html, js, meta] = await Promise.all([read('bellwetherStrategicAccounts.html'), read('bellwetherStrategicAccounts.js'), read('bellwetherStrategicAccounts.js-meta.xml')]);
    const api = [...js.matchAll(/@api (\w+)/g)].map((m) => m[1]!);
    const bound = [...new Set([...html.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))];
    const configurable = [...meta.matchAll(/<property name="(\w+)"/g)].map((m) => m[1]!);
    assert.deepEqual(bound.filter((name) => !api.includes(name) && !['loaded', 'error', 'token'].includes(name)), []);
    assert.deepEqual([...configurable].sort(), [...api].sort());
    assert.match(js, /import bundle from '@salesforce\/resourceUrl\/BellwetherStrategicAccounts';/);
    // The token is the running user's, from Apex: never a page property anyone who opens the page could read.
    assert.deepEqual([api.some((name) => /token/i.test(name)), /token=\{token\}/.test(html)], [false, true]);
    assert.match(js, /import mint from '@salesforce\/apex\/BellwetherEmbedToken\.mint';/);
    const resource = await readFile(path.join(lwc, '..', '..', 'staticresources', 'BellwetherStrategicAccounts.resource-meta.xml'), 'utf8');
    assert.match(resource, /<contentType>application\/javascript<\/contentType>/);
  });
});
