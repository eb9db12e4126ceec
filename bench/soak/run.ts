// `npm run bench:soak [-- --minutes N]`: the chaos scenario of test/chaos (two workers and the web
// process under workflow runs, survey answers and widget reads, a worker, the database and the web
// process killed in turn) for N minutes (default 30). The first minute has no kills: it is the
// baseline the storm's rates are given against. Prints runs completed, answers stored, kills
// survived, each process's peak RSS and the end checks; exits 1 when a check failed.
//   CHAOS_SEED   replay the kill times of an earlier run (its seed is printed first)
import { parseArgs } from 'node:util';
import { chaosSeed } from '../../test/chaos/random.ts';
import { killKinds, openScenario, type PhaseFigures } from '../../test/chaos/scenario.ts';
import { table } from '../shared.ts';

const log = (message: string) => process.stderr.write(`[bench:soak] ${message}\n`);

/** A kill every this many seconds: time for a killed worker's run to be taken over before the next. */
const killEverySeconds = 40;

function perMinute(n: number, phase: PhaseFigures): number {
  return (n / phase.seconds) * 60;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '30' } } });
  const minutes = Number(values.minutes);
  if (!(Number.isInteger(minutes) && minutes >= 2)) throw new Error(`--minutes must be a whole number of at least 2, got ${values.minutes}`);
  const seed = chaosSeed();
  log(`seed ${seed} (CHAOS_SEED=${seed} replays its kill times); ${minutes} minutes: 1 quiet, ${minutes - 1} with a kill every ${killEverySeconds} s`);
  const scenario = await openScenario({ seed, log });
  let passed = false;
  try {
    const baseline = await scenario.storm({ seconds: 60 });
    log(`baseline minute: ${baseline.runsSucceeded} runs, ${baseline.traffic.answers.acknowledged} answers`);
    const storm = await scenario.storm({ seconds: (minutes - 1) * 60, killEverySeconds });
    log('settling...');
    await scenario.settle(180);
    const end = await scenario.check();
    passed = end.problems.length === 0;

    const rate = (label: string, count: (p: PhaseFigures) => number) => {
      const [quiet, stormy] = [perMinute(count(baseline), baseline), perMinute(count(storm), storm)];
      return [label, quiet.toFixed(1), stormy.toFixed(1), `${(stormy / quiet).toFixed(2)}x`];
    };
    console.log(`\nChaos soak, ${minutes} minutes (seed ${seed})\n`);
    console.log(table(['per minute', 'quiet minute', 'under kills', 'ratio'], [
      rate('runs succeeded', (p) => p.runsSucceeded),
      rate('answers acknowledged', (p) => p.traffic.answers.acknowledged),
      rate('invitations received', (p) => p.invitationsReceived),
      rate('widget reads answered', (p) => p.traffic.widgetReads.ok),
    ], new Set([1, 2, 3])));
    const runs = Object.entries(end.runs).map(([outcome, n]) => `${n} ${outcome}`).join(', ');
    console.log(`\nruns: ${runs}`);
    console.log(`answers: ${end.answers.acknowledged} invitations answered and acknowledged, ${end.answers.stored} answers stored; ${end.traffic.answers.failed} attempts not acknowledged (sent again later)`);
    console.log(`invitations: ${end.invitations.received} received by the mail server, ${end.invitations.sent} marked sent, ${end.invitations.inDoubt} in doubt`);
    console.log(`kills survived: ${killKinds.map((k) => `${end.kills[k]} ${k}`).join(', ')}; ${end.failedStarts} restarts refused while the database was down`);
    console.log(`\n${table(['process', 'peak RSS (MB)'], Object.entries(end.peakKb).map(([name, kb]) => [name, (kb / 1024).toFixed(0)]), new Set([1]))}`);
    console.log('(database: the peak of its processes\' summed PSS, shared memory split between them)');
    console.log(`\nend checks: ${passed ? 'all passed' : `${end.problems.length} problems`}`);
    for (const problem of end.problems) console.log(`  - ${problem}`);
    return passed ? 0 : 1;
  } finally {
    if (!passed) log(`kept the processes' logs and the database in ${scenario.workDir}`);
    await scenario.close(passed);
  }
}

// Set outright: the embedded server's exit hooks would otherwise end the process with 0.
process.exit(await main());
