import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..', '..');

/** Chromium as the machine has it (Debian's package), headless, with nothing that reaches the internet. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

let built: Promise<void> | undefined;

/**
 * Builds widget/dist/strategic-accounts.js once per test process, so the browser tests run against the
 * bundle the source makes now (`npm test` builds it too, but `npx mocha` alone does not).
 */
export function buildWidget(): Promise<void> {
  built ??= build({ configFile: path.join(root, 'widget', 'vite.config.ts'), logLevel: 'warn' }).then(() => undefined);
  return built;
}
