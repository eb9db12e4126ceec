// The chaos scenario that test/chaos/chaos.test.ts runs for 90 seconds in CI and bench/soak/run.ts
// for half an hour: the product's three kinds of process under a stream of workflow runs, survey
// answers and widget reads, while the scenario kills a worker, then the database, then the web
// process, in turn, at random points; then the checks of test/chaos/checks.ts.
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabaseIfMissing } from '../../core/database.ts';
import { Db } from '../../core/db.ts';
import { migrate } from '../../core/migrate.ts';
import { freePort } from '../helpers/database.ts';
import { accountHeader, contactHeader, writeCsv } from '../helpers/files.ts';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.ts';
import { checkAnswers, checkDirectory, checkInvitations, checkRuns, type InputFiles } from './checks.ts';
import { startChaosDatabase, SupervisedProcess, type ChaosDatabase } from './processes.ts';
import { seededRandom, type Random } from './random.ts';
import { AnswerBook, noTraffic, startTraffic, type TrafficCounts } from './traffic.ts';

export const killKinds = ['worker', 'database', 'web'] as const;
export type KillKind = (typeof killKinds)[number];

/** A stretch of traffic; with `killEverySeconds`, one kill at a random point of each such slot, the kinds in turn. */
export type Phase = { seconds: number; killEverySeconds?: number };

export type PhaseFigures = {
  seconds: number;
  runsSucceeded: number;
  invitationsReceived: number;
  kills: Record<KillKind, number>;
  traffic: TrafficCounts;
};

export type EndReport = {
  problems: string[];
  runs: Record<string, number>;
  answers: { acknowledged: number; stored: number };
  traffic: TrafficCounts;
  invitations: { received: number; sent: number; inDoubt: number };
  kills: Record<KillKind, number>;
  failedStarts: number;
  /** Peak RSS of each process over all its lives (VmHWM), and of the database the peak of its processes' summed PSS, in kB. */
  peakKb: Record<string, number>;
};

export type Scenario = {
  workDir: string;
  storm: (phase: Phase) => Promise<PhaseFigures>;
  /** Stops the schedule and waits until every process is back and nothing is left to do; what is still left then is a problem `check` reports. */
  settle: (timeoutSeconds?: number) => Promise<void>;
  check: () => Promise<EndReport>;
  /** Stops everything; the work folder (logs, the database) is kept unless `remove`. */
  close: (remove: boolean) => Promise<void>;
};

const adminKey = 'chaos-admin-key-0123456789';

type Input = InputFiles & { name: string; mailingListName?: string; distribute: boolean; schedule?: { cron: string } };

/**
 * Three versions of one company's full export: the same 1000 accounts and 2000 contacts each time
 * (a loaded record stays until a row deletes it), with other names, parents, titles and emails, and
 * other contacts deleted. Two versions keep 30 contacts live and survey them after each load.
 * Whichever version loads first adds all 2000 contacts, so a later run adds none.
 */
async function writeInputs(dir: string): Promise<Input[]> {
  const version = async (name: string, roots: number, live: (contact: number) => boolean, prefix: string) => ({
    accounts: await writeCsv(dir, `${name.toLowerCase().replaceAll(' ', '-')}-accounts.csv`, [
      accountHeader,
      ...Array.from({ length: 1000 }, (_, i) => [`001C${i}`, 'false', `${name} ${i}`, i < roots ? '' : `001C${i % roots}`]),
    ]),
    contacts: await writeCsv(dir, `${name.toLowerCase().replaceAll(' ', '-')}-contacts.csv`, [
      contactHeader,
      ...Array.from({ length: 2000 }, (_, i) => [`003C${i}`, String(!live(i)), i % (roots / 2) ? 'Buyer' : 'Champion', `001C${(i * 7) % 1000}`, `${prefix}${i}@example.com`, `${name}${i}`, `Last${i}`]),
    ]),
  });
  return [
    { name: 'North', mailingListName: 'North', distribute: true, ...(await version('North', 8, (i) => i < 30, 'n')) },
    { name: 'South', mailingListName: 'South', distribute: true, schedule: { cron: '* * * * *' }, ...(await version('South', 16, (i) => i >= 15 && i < 45, 's')) },
    { name: 'Full export', distribute: false, ...(await version('Full export', 4, () => true, 'f')) },
  ];
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, seconds: number, pollMs = 500): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${seconds} s`);
    await sleep(pollMs);
  }
}

export async function openScenario(options: { seed: number; log: (line: string) => void }): Promise<Scenario> {
  const { log } = options;
  const opened = Date.now();
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'bellwether-chaos-'));
  // As root, the database runs as the `postgres` user, which must be able to enter this folder.
  await chmod(workDir, 0o755);
  const importDir = path.join(workDir, 'imports');
  const logDir = path.join(workDir, 'logs');
  await Promise.all([mkdir(importDir), mkdir(logDir)]);
  const database: ChaosDatabase = await startChaosDatabase(path.join(workDir, 'pg'));
  const url = database.url('bellwether');
  await migrate(url);
  const db = new Db(url, { max: 2, applicationName: 'bellwether-chaos' });
  const sink: SmtpSink = await startSmtpSink();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const common = { ...process.env, DATABASE_URL: url, IMPORT_DIR: importDir, BELLWETHER_DATA_DIR: path.join(workDir, 'data') };
  const workers = [1, 2].map((n) => new SupervisedProcess({ name: `worker ${n}`, kind: 'worker', logDir, env: { ...common, SMTP_URL: sink.url, PUBLIC_URL: base } }));
  const web = new SupervisedProcess({ name: 'web', kind: 'web', logDir, env: { ...common, PORT: String(port), ADMIN_API_KEY: adminKey, TRUST_PROXY: '1' } });
  const processes = [...workers, web];
  // Workers first: the first process to create the job queues sets their (short) takeover timing.
  await Promise.all(workers.map((w) => w.start()));
  await web.start();

  const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const reply = await fetch(`${base}${route}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!reply.ok) throw new Error(`${method} ${route} answered ${reply.status}: ${await reply.text()}`);
    return (await reply.json()) as T;
  };
  const inputs = await writeInputs(importDir);
  const survey = await api<{ id: number }>('POST', '/api/surveys', { name: 'Chaos', title: 'Your feedback' });
  const workflowInputs = new Map<number, Input>();
  for (const input of inputs) {
    const tasks = [
      { type: 'extract', name: 'accounts', object: 'accounts', source: 'file', path: path.basename(input.accounts) },
      { type: 'extract', name: 'contacts', object: 'contacts', source: 'file', path: path.basename(input.contacts) },
      { type: 'load', name: 'load', extracts: { accounts: 'accounts', contacts: 'contacts' }, ...(input.mailingListName ? { mailingListName: input.mailingListName } : {}) },
      // Every contact of the run's list, not only those it added: the contact rules then let each
      // address be invited once, whichever run reaches it first, under the kills.
      ...(input.distribute ? [{ type: 'distribute', name: 'invite', load: 'load', surveyId: survey.id, send: 'now', audience: 'all' }] : []),
    ];
    const workflow = await api<{ id: number }>('POST', '/api/workflows', { name: input.name, definition: { tasks, ...(input.schedule ? { schedule: input.schedule } : {}) } });
    workflowInputs.set(workflow.id, input);
  }
  const scheduled = [...workflowInputs].find(([, input]) => input.schedule)![0];
  // After the storm, one more run must load and send: North's contacts, asked another survey (the
  // same survey never goes to an address twice in 12 hours), under rules that count each survey apart.
  await api('PUT', '/api/directories/1/contact-rules', { maxInvitations: 100, periodDays: 1, perSurvey: true });
  const probeSurvey = await api<{ id: number }>('POST', '/api/surveys', { name: 'After the storm', title: 'One more question' });
  const north = inputs.find((input) => input.name === 'North')!;
  const afterStorm = await api<{ id: number }>('POST', '/api/workflows', {
    name: 'After the storm',
    definition: {
      tasks: [
        { type: 'extract', name: 'accounts', object: 'accounts', source: 'file', path: path.basename(north.accounts) },
        { type: 'extract', name: 'contacts', object: 'contacts', source: 'file', path: path.basename(north.contacts) },
        { type: 'load', name: 'load', extracts: { accounts: 'accounts', contacts: 'contacts' }, mailingListName: 'After the storm' },
        { type: 'distribute', name: 'invite', load: 'load', surveyId: probeSurvey.id, send: 'now', audience: 'all' },
      ],
    },
  });
  const widgetConfig = await api<{ id: number }>('POST', '/api/widget-configs', { name: 'Chaos' });
  log(`database, 2 workers and the web process up in ${((Date.now() - opened) / 1000).toFixed(1)} s`);

  // The kill times draw from a stream of their own, so a seed replays them; which moment of a load
  // a kill meets, and what the clients do meanwhile, depend on timing too.
  const killTimes: Random = seededRandom(options.seed);
  const moments: Random = seededRandom(options.seed ^ 0x5bd1e995);
  const trafficRandom: Random = seededRandom(options.seed ^ 0x9e3779b9);
  const answers = new AnswerBook(sink);
  const total = noTraffic();
  const kills: Record<KillKind, number> = { worker: 0, database: 0, web: 0 };
  const restarts: Promise<void>[] = [];
  const settleProblems: string[] = [];
  let databasePeakKb = 0;
  let sampling: Promise<unknown> = Promise.resolve();
  const sampler = setInterval(() => {
    // On a loaded machine one pass may outlast the interval: the next waits for it.
    sampling = sampling.then(() => Promise.all([...processes.map((p) => p.samplePeak()), database.pssKb().then((kb) => (databasePeakKb = Math.max(databasePeakKb, kb)))])).catch(() => {});
  }, 2000);

  const restartLater = (victim: SupervisedProcess) => {
    restarts.push(sleep(moments.between(0.5, 3) * 1000).then(() => victim.start()));
  };
  /**
   * A worker or the database is killed while a load runs when one does within a few seconds (a
   * kill between runs would test little), a moment into it; the web process whenever it comes.
   */
  const killNext = async (started: number) => {
    const kind = killKinds[(kills.worker + kills.database + kills.web) % killKinds.length]!;
    let victim = kind === 'web' ? web : undefined;
    if (kind !== 'web') {
      let loading: SupervisedProcess | undefined;
      // A small load takes a fraction of a second: one that ended before the moment came is passed over.
      for (const deadline = Date.now() + 5000; !loading?.loading && Date.now() < deadline; ) {
        loading = await until('a load to run', async () => workers.find((w) => w.loading), 1, 20).catch(() => undefined);
        if (loading) await sleep(moments.between(0, 0.3) * 1000);
      }
      if (kind === 'worker') victim = loading?.loading ? loading : moments.pick(workers);
    }
    const during = workers.some((w) => w.loading) ? ' during a load' : '';
    log(`${((Date.now() - started) / 1000).toFixed(1)} s: killing ${victim?.name ?? 'the database'}${during}`);
    if (victim) {
      await victim.kill();
      restartLater(victim);
    } else await database.kill();
    kills[kind]++;
  };

  return {
    workDir,
    async storm(phase) {
      const started = Date.now();
      const counts = noTraffic();
      const receivedBefore = sink.received.length;
      const killsBefore = { ...kills };
      const traffic = startTraffic({ base, adminKey, workflowIds: [...workflowInputs.keys()], widgetConfigId: widgetConfig.id, answers }, trafficRandom, counts);
      const every = phase.killEverySeconds;
      if (every) {
        const plan = Array.from({ length: Math.floor(phase.seconds / every) }, (_, slot) => (slot + killTimes.between(0.2, 0.8)) * every * 1000);
        for (const at of plan) {
          await sleep(Math.max(0, started + at - Date.now()));
          await killNext(started);
        }
      }
      await sleep(Math.max(0, started + phase.seconds * 1000 - Date.now()));
      await traffic.stop();
      const ended = Date.now();
      const [runs] = await until('the database to count the runs', () =>
        db.query<{ n: number }>(`select count(*)::int as n from sync_runs where state = 'succeeded' and finished_at >= $1 and finished_at < $2`, [new Date(started), new Date(ended)]),
      60);
      for (const group of ['triggers', 'answers', 'widgetReads'] as const) {
        for (const [key, n] of Object.entries(counts[group])) (total[group] as Record<string, number>)[key]! += n;
      }
      return {
        seconds: (ended - started) / 1000,
        runsSucceeded: runs!.n,
        invitationsReceived: sink.received.length - receivedBefore,
        kills: Object.fromEntries(killKinds.map((k) => [k, kills[k] - killsBefore[k]])) as Record<KillKind, number>,
        traffic: counts,
      };
    },

    async settle(timeoutSeconds = 120) {
      const started = Date.now();
      await Promise.all(restarts.splice(0));
      await until('the scheduled workflow to be switched off', () => api('PATCH', `/api/workflows/${scheduled}`, { enabled: false }), 60);
      let left = 'the database did not answer';
      // Quiet for a few seconds on end, its cron's queue (pg-boss's send-it) too: a cron pass that
      // read the schedule just before it was switched off still starts its run.
      let quietSince: number | undefined;
      await until('every process to be back and every run and invitation done', async () => {
        const since = quietSince;
        quietSince = undefined;
        const health = await fetch(`${base}/api/health`).then((r) => r.status, () => null);
        const [work] = await db.query<{ running: number; jobs: number; distributing: number }>(
          `select (select count(*) from sync_runs where state = 'running')::int as running,
                  (select count(*) from pgboss.job where name in ('workflow-run', 'distribution-send', '__pgboss__send-it') and state in ('created', 'retry', 'active'))::int as jobs,
                  (select count(*) from distributions where state <> 'finished')::int as distributing`,
        );
        const down = processes.filter((p) => !p.running).map((p) => p.name);
        left = `web health ${health}, down: [${down.join(', ')}], ${work!.running} runs running, ${work!.jobs} jobs waiting or active, ${work!.distributing} distributions sending`;
        if (health !== 200 || down.length > 0 || work!.running + work!.jobs + work!.distributing > 0) return undefined;
        quietSince = since ?? Date.now();
        return Date.now() - quietSince >= 5000 ? true : undefined;
      }, timeoutSeconds).then(
        () => log(`settled in ${((Date.now() - started) / 1000).toFixed(1)} s`),
        () => settleProblems.push(`not settled after ${timeoutSeconds} s: ${left}`),
      );
    },

    async check() {
      const controlUrl = database.url('bellwether_control');
      await createDatabaseIfMissing(database.adminUrl, 'bellwether_control');
      await migrate(controlUrl);
      const control = new Db(controlUrl, { max: 2 });
      const directory = await checkDirectory(db, control, workflowInputs).finally(() => control.close());
      const answered = await checkAnswers(db, answers);
      const invitations = await checkInvitations(db, sink);
      const runs = await checkRuns(db);
      const problems = [...settleProblems, ...directory.problems, ...answered.problems, ...invitations.problems, ...runs.problems];
      for (const p of processes) problems.push(...p.unexpectedExits);
      // Every process works again: a run started through the web process loads and sends its invitations.
      const [before] = await db.query<{ id: number }>('select coalesce(max(id), 0)::int as id from sync_runs');
      const received = sink.received.length;
      await until('a run to be started after the storm', () => api('POST', `/api/workflows/${afterStorm.id}/runs`), 30);
      const probe = await until('the run after the storm to end', async () => {
        const [run] = await db.query<{ state: string }>(`select state from sync_runs where id > $1 and state <> 'running'`, [before!.id]);
        return run;
      }, 60).catch((error: Error) => ({ state: error.message }));
      if (probe.state !== 'succeeded') problems.push(`the run after the storm did not succeed: ${probe.state}`);
      else await sink.waitFor(received + 30, 30_000).catch((error: Error) => problems.push(`after the storm: ${error.message}`));
      return {
        problems,
        runs: runs.outcomes,
        answers: { acknowledged: [...answers.byToken.values()].filter((a) => a.acknowledged).length, stored: answered.stored },
        traffic: total,
        invitations: { received: invitations.received, sent: invitations.sent, inDoubt: invitations.inDoubt },
        kills: { ...kills },
        failedStarts: processes.reduce((n, p) => n + p.failedStarts, 0),
        peakKb: { ...Object.fromEntries(processes.map((p) => [p.name, p.peakKb])), database: databasePeakKb },
      };
    },

    async close(remove) {
      clearInterval(sampler);
      await sampling;
      await Promise.allSettled(restarts);
      await Promise.all(processes.map((p) => p.stop()));
      await sink.close();
      await db.close();
      await database.stop();
      if (remove) await rm(workDir, { recursive: true, force: true });
    },
  };
}
