// `npm run bench:widget`: the Strategic Accounts widget.
//   BENCH_STRICT=1   exit 1 when a target fails
// The element's part (bench/widget/render.ts): the bundle's gzipped size against the 25 KB budget,
// and the time to first render of 1,000 accounts in Chromium against a static HTML table of the same rows.
import { measureRender, renderTable, renderTargetsMet } from './render.ts';

const log = (message: string) => process.stderr.write(`[bench:widget] ${message}\n`);

async function main(): Promise<number> {
  const render = await measureRender({ log });
  console.log(`\n<strategic-accounts> bundle and first render (baseline: the same rows as a static HTML table)\n${renderTable(render)}`);
  const met = renderTargetsMet(render);
  return !met && process.env.BENCH_STRICT === '1' ? 1 : 0;
}

process.exitCode = await main();
