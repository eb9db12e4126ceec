import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { goodPassword } from '../server/people-fixture.ts';

/** axe-core's browser build, from node_modules. */
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

type AxeResult = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] };

/**
 * Makes axe-core available in every document the page opens. An init script is injected by the
 * browser itself, so the console's CSP (`script-src 'self'`, nothing inline) does not refuse it.
 */
export async function withAxe(page: Page): Promise<void> {
  await page.addInitScript({ path: axePath });
}

/** Runs axe on what the page shows now (open shadow roots included) and fails on serious or critical violations. */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  const result = await page.evaluate(() => (window as unknown as { axe: { run: (context: Document) => Promise<AxeResult> } }).axe.run(document));
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  assert.deepEqual(serious, [], `axe on ${what}`);
}

/** Presses Tab until the focused control (inside the console's shadow roots) is the one named `name`. */
export async function tabTo(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      let element = document.activeElement;
      while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
      const label = (element as HTMLInputElement | null)?.labels?.[0]?.textContent;
      return (element?.getAttribute('aria-label') ?? label ?? element?.textContent ?? '').trim();
    });
    if (focused === name) return;
  }
  assert.fail(`Tab never reached "${name}"`);
}

/** What the browser logs for an answer of `status` ("400 (Bad Request)"): a refusal a test asks for. */
export function failedLoad(status: string): string {
  return `Failed to load resource: the server responded with a status of ${status}`;
}

/** The console asks who is signed in before anyone is: the one error every page logs. */
export const signedOut = failedLoad('401 (Unauthorized)');

/**
 * Opens `path` of the console at `base` and signs in: as ada@bellwether.example, added with
 * people-fixture's `addUser`, unless `who` is another user (e.g. the server's ADMIN_EMAIL).
 */
export async function signIn(page: Page, base: string, path: string, who = { email: 'ada@bellwether.example', password: goodPassword }): Promise<void> {
  await page.goto(`${base}${path}`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
