import express, { Router } from 'express';
import type { Queryable } from '../../core/db.ts';
import { demoSetting } from '../../core/demo.ts';
import type { Logger } from '../../core/log.ts';
import { errorHandler } from '../errors.ts';
import { securityHeaders } from '../security-headers.ts';
import { createWidgetConfig, findWidgetConfig } from '../../core/widgets/config-queries.ts';
import type { EmbedTokens } from './embed-tokens.ts';

/*
 * The demo page of `npm start`: the widget on the bundled demo company (examples/demo), embedded the
 * way a portal would, under a strict Content-Security-Policy, with an embed token issued per visit.
 */

export const demoConfigName = 'Demo: strategic accounts';

/** What examples/demo/mapping.json loads: industry and tier, the currency code, the contract and its term in months. */
const demoConfig = {
  name: demoConfigName,
  period: 'QoQ',
  timeZone: 'Europe/Berlin',
  columns: [
    { field: 'attribute:industry', label: 'Industry' },
    { field: 'attribute:tier', label: 'Tier' },
    { field: 'role:ACCOUNT_OWNER', label: 'Account owner' },
  ],
  keyMetrics: [
    { label: 'ARR', field: 'arr', format: 'currency', decimals: 0 },
    { label: 'Responses', field: 'responses', format: 'number', decimals: 0 },
    { label: 'Contract term (months)', field: 'attribute:contractTermMonths', format: 'number', decimals: 0 },
  ],
  chartMetric: { field: 'nps' },
  arr: { amountAttribute: 'contractAmount', termAttribute: 'contractTermMonths', termUnit: 'months' },
  currencyAttribute: 'currency',
};

export type DemoWidget = { configId: number; directoryId: number; timeZone: string };

/** Each visit gets its own token, so it need only outlast a visit: a page left open longer is reloaded. */
export const demoTokenSeconds = 15 * 60;

/**
 * Called by `npm start` once it loaded the demo company into a directory: saves the demo's widget
 * configuration and marks the directory as the demo's as it is now (its newest run).
 */
export async function markDemoDirectory(db: Queryable, directoryId: number): Promise<DemoWidget> {
  const created = await createWidgetConfig(db, { ...demoConfig, directoryId });
  await db.query(
    `insert into instance_settings (name, value)
     select $1, json_build_object('directoryId', $2::bigint, 'configId', $3::bigint, 'lastRunId', coalesce(max(id), 0))::text from sync_runs where directory_id = $2
     on conflict (name) do update set value = excluded.value`,
    [demoSetting, directoryId, created.id],
  );
  return { configId: created.id, directoryId, timeZone: created.timeZone };
}

/**
 * The demo while its directory holds only the demo company: null when `npm start` never loaded it,
 * once anything else was loaded into the directory (a run that did not fail), or once its widget
 * configuration was deleted or pointed elsewhere. The page never shows an admin's own data.
 */
export async function findDemo(db: Queryable): Promise<DemoWidget | null> {
  const [row] = await db.query<{ configId: number }>(
    `select c.id::int as "configId"
     from instance_settings s
     cross join lateral jsonb_to_record(s.value::jsonb) as m("directoryId" bigint, "configId" bigint, "lastRunId" bigint)
     join widget_configs c on c.id = m."configId" and c.directory_id = m."directoryId"
     where s.name = $1
       and not exists (select 1 from sync_runs r where r.directory_id = m."directoryId" and r.id > m."lastRunId" and r.state <> 'failed')`,
    [demoSetting],
  );
  if (!row) return null;
  const config = await findWidgetConfig(db, row.configId);
  return { configId: config.id, directoryId: config.directoryId, timeZone: config.timeZone };
}

/** The day of the newest answer, in the configuration's time zone: the demo shows its data however old it is. */
async function newestAnswerDay(db: Queryable, demo: DemoWidget): Promise<string | null> {
  const [row] = await db.query<{ day: string | null }>(
    `select to_char(max(responded_at) at time zone $2, 'YYYY-MM-DD') as day from nps_responses where directory_id = $1`,
    [demo.directoryId, demo.timeZone],
  );
  return row?.day ?? null;
}

const page = (tag: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bellwether: strategic accounts (demo)</title>
<link rel="stylesheet" href="/demo/demo.css">
<link rel="icon" href="/demo/icon.svg" type="image/svg+xml">
<script type="module" src="/widget/strategic-accounts.js"></script>
</head>
<body>
<header>
<h1>Northwind: strategic accounts</h1>
<p>The <code>&lt;strategic-accounts&gt;</code> widget on the demo company, embedded as any portal would
(this page allows no inline script or style). Sort by any column, switch the period, or show the cards.</p>
</header>
<main>${tag}</main>
<footer><p>Embed it in your own page:</p>
<pre><code>&lt;script type="module" src="https://&lt;bellwether&gt;/widget/strategic-accounts.js"&gt;&lt;/script&gt;
&lt;strategic-accounts api="https://&lt;bellwether&gt;" config="&lt;id&gt;" token="&lt;embed token&gt;"&gt;&lt;/strategic-accounts&gt;</code></pre>
</footer>
</body>
</html>`;

const stylesheet = `body { margin: 0 auto; max-width: 90rem; padding: 1.5rem; font: 15px/1.5 system-ui, sans-serif; color: #1f2937; background: #f3f4f6; }
h1 { font-size: 1.4rem; margin: 0 0 0.25rem; }
header p, footer p { color: #4b5563; margin: 0 0 1rem; }
main { background: #fff; border-radius: 8px; padding: 1rem; box-shadow: 0 1px 3px rgb(0 0 0 / 0.1); }
footer { margin-top: 1.5rem; }
pre { background: #111827; color: #e5e7eb; padding: 0.75rem; border-radius: 6px; overflow-x: auto; font-size: 0.8rem; }
strategic-accounts { --sa-color-accent: #1d4ed8; }
`;

const icon = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M1 13 5 7l3 3 5-8 2 2" fill="none" stroke="#1d4ed8" stroke-width="2"/></svg>';

/** GET /demo, its stylesheet and icon, while the demo lasts (else they fall through to a 404); a short-lived token is issued for each visit. */
export function demoRoutes(db: Queryable, embedTokens: () => Promise<EmbedTokens>): Router {
  const router = Router();
  const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  router.use(['/demo', '/demo/*rest'], async (_req, res, next) => {
    const demo = await findDemo(db);
    if (!demo) return next('router');
    res.locals.demo = demo;
    next();
  });
  router.get('/demo', async (_req, res) => {
    const demo = res.locals.demo as DemoWidget;
    const { token } = await (await embedTokens()).issue({ configId: demo.configId, directoryId: demo.directoryId, userEmail: null }, demoTokenSeconds);
    const asOf = await newestAnswerDay(db, demo);
    const tag = `<strategic-accounts config="${demo.configId}" token="${token}"${asOf ? ` as-of="${asOf}"` : ''} locale="en-US"></strategic-accounts>`;
    res.set({ 'Content-Security-Policy': csp, 'Cache-Control': 'no-store' }).type('html').send(page(tag));
  });
  router.get('/demo/demo.css', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600').type('css').send(stylesheet);
  });
  router.get('/demo/icon.svg', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=3600').type('image/svg+xml').send(icon);
  });
  return router;
}

/** The app behind the demo page (unless BELLWETHER_DEMO=off): the page's routes first, then everything the app answers. */
export function withDemoPage(app: express.Express, routes: Router, logger: Logger): express.Express {
  const site = express();
  site.disable('x-powered-by');
  site.use(securityHeaders());
  site.use(routes);
  site.use(app);
  // A page that fails (no key to sign its token) answers as the API does, without a stack trace.
  site.use(errorHandler(logger));
  return site;
}
