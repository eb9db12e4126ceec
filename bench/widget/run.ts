// `npm run bench:widget`: the Strategic Accounts widget.
//   BENCH_SCALE=0.1  a tenth of the API's data set (default 1: 10,000 accounts, 5,000,000 answers)
//   BENCH_REQUESTS   timed requests per API scenario (default 100)
//   BENCH_ONLY=api|render   one part only
//   DATABASE_URL     use that server (a fresh database bellwether_bench_widget is made on it);
//                    otherwise the embedded PostgreSQL under bench/.data/pg
//   BENCH_STRICT=1   exit 1 when a target fails
// The API's part (bench/widget/api-latency.ts): p50/p95 of the data endpoint against a naive
// aggregate query of the same page, both on the same database in this run.
// The element's part (bench/widget/render.ts): the bundle's gzipped size against the 25 KB budget,
// and the time to first render of 1,000 accounts in Chromium against a static HTML table of the same rows.
import { latencyTable, latencyTargetsMet, measureApiLatency } from './api-latency.ts';
import { measureRender, renderTable, renderTargetsMet } from './render.ts';

const log = (message: string) => process.stderr.write(`[bench:widget] ${message}\n`);

async function main(): Promise<number> {
  const only = process.env.BENCH_ONLY;
  let met = true;
  if (only !== 'render') {
    const latency = await measureApiLatency({ log });
    console.log(
      `\nGET /api/widgets/strategic-accounts, ${latency.accounts} accounts, ${latency.responses} answers (${latency.server}; ` +
        `baseline: one GROUP BY over every answer for the same page)\n${latencyTable(latency)}`,
    );
    met = latencyTargetsMet(latency) && met;
  }
  if (only !== 'api') {
    const render = await measureRender({ log });
    console.log(`\n<strategic-accounts> bundle and first render (baseline: the same rows as a static HTML table)\n${renderTable(render)}`);
    met = renderTargetsMet(render) && met;
  }
  return !met && process.env.BENCH_STRICT === '1' ? 1 : 0;
}

process.exitCode = await main();
