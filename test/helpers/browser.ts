import { chromium, type Browser } from 'playwright-core';
import { createBuilder } from 'vite';
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
 * Builds widget/dist (the widget's bundles and the console's) once per test process, as `npm run build`
 * does, so the browser tests run against what the source makes now (`npx mocha` alone does not build),
 * unless TEST_WIDGET_PREBUILT=1 says `npm run build` has just made it.
 */
export function buildWidget(): Promise<void> {
  // CI builds once before its two passes run side by side: each building would empty the folder the other serves.
  if (process.env.TEST_WIDGET_PREBUILT === '1') return Promise.resolve();
  built ??= createBuilder({ configFile: path.join(root, 'widget', 'vite.config.ts'), logLevel: 'warn' }, null).then((builder) => builder.buildApp());
  return built;
}
