// `npm run bench:distribution`: a survey distribution to 100,000 recipients through a real SMTP sink,
// each claimed under the directory's contact rules, against nodemailer's bare pooled send of the same
// messages, in the same run.
//   BENCH_SCALE=0.1   a tenth of the recipients (default 1: 100,000)
//   DATABASE_URL      use that server (a fresh database bellwether_bench_distribution is created on it);
//                     otherwise the embedded PostgreSQL under bench/.data/pg
//   BENCH_ROUNDS=1    rounds of the two passes (default 3; the best of each counts)
//   BENCH_STRICT=1    exit 1 when a target fails (a recipient missed or mailed twice always exits 1)
// Each pass runs in a child process (send-once.ts) with the Procfile worker's Node flags and reports its
// own wall time and peak RSS. The sink (smtp-server, in this process) counts every RCPT TO and drains
// the message without parsing it, so the sink costs both passes the same.
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { Db } from '../../core/db.ts';
import { migrate } from '../../core/migrate.ts';
import { createSurvey } from '../../core/surveys/queries.ts';
import { accountHeader, contactHeader, writeCsv } from '../../test/helpers/files.ts';
import { openLocalFiles } from '../../worker/extract/local-files.ts';
import { insertDistribution } from '../../core/surveys/create-distribution.ts';
import { setFollowUps } from '../../core/surveys/follow-ups.ts';
import { Queue } from '../../core/queues.ts';
import { defaultTemplates } from '../../core/surveys/template.ts';
import { loadDirectory } from '../../worker/load/load-directory.ts';
import { benchScale, freshDatabase, openBenchServer, runChildPass, table, withClient, workerNodeFlags } from '../shared.ts';
import type { PassResult } from './send-once.ts';

const sendOnce = path.join(import.meta.dirname, 'send-once.ts');
const targets = { ratio: 0.8, rssMb: 300 };
const connections = 5;
const rounds = Number(process.env.BENCH_ROUNDS ?? '3');
const log = (message: string) => process.stderr.write(`[bench:distribution] ${message}\n`);

const runPass = (args: string[]) => runChildPass<PassResult>(args[0]!, sendOnce, args);

/** An SMTP server that accepts everything, counting each recipient's messages. */
async function startSink(): Promise<{ url: string; counts: Map<string, number>; close: () => Promise<void> }> {
  const counts = new Map<string, number>();
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        for (const r of session.envelope.rcptTo) counts.set(r.address, (counts.get(r.address) ?? 0) + 1);
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, counts, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function main(): Promise<number> {
  const recipients = Math.round(100_000 * benchScale());
  const { adminUrl, label: serverLabel, stop } = await openBenchServer();
  const sink = await startSink();
  try {
    const url = await freshDatabase(adminUrl, 'bellwether_bench_distribution');
    await migrate(url);
    const db = new Db(url, { max: 4, applicationName: 'bellwether-bench-distribution' });
    log(`loading ${recipients.toLocaleString('en')} contacts (not timed)...`);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bellwether-bench-distribution-'));
    const accounts = Array.from({ length: 100 }, (_, i) => [`001${String(i).padStart(5, '0')}`, 'false', `Account ${i} & Co`, '']);
    const contacts = Array.from({ length: recipients }, (_, i) => [
      `003${String(i).padStart(7, '0')}`, 'false', '', `001${String(i % 100).padStart(5, '0')}`, `person${i}@customer${i % 100}.example`, `First${i}`, `Last${i}`,
    ]);
    const load = await loadDirectory(db, {
      directoryId: 1, sourceLabel: 'files', mapping: {}, mailingListName: 'Bench',
      openSources: async () => openLocalFiles({
        accounts: await writeCsv(dir, 'accounts.csv', [accountHeader, ...accounts]),
        contacts: await writeCsv(dir, 'contacts.csv', [contactHeader, ...contacts]),
      }),
    });
    if (load.state !== 'succeeded' || load.mailingList?.members !== recipients) throw new Error(`the contacts did not load: ${JSON.stringify(load.error ?? load.mailingList)}`);
    const survey = await createSurvey(db, { name: 'Bench NPS' });
    const newDistribution = async () => {
      const { id } = (await insertDistribution(db, { audience: 'all',
        surveyId: survey.id, directoryId: 1, mailingListId: load.mailingList!.id, workflowId: null, linkType: 'individual',
        from: 'Bench <nps@bench.localhost>', ...defaultTemplates, sendAt: new Date(),
      }))!;
      // Two reminders, as a daily program sets them: scheduled when the send ends, one job per round.
      await setFollowUps(db, id, { reminders: [{ afterDays: 3 }, { afterDays: 7 }], localized: true });
      return id;
    };
    const serverVersion = await withClient(url, async (c) => (await c.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0]!.v);

    const passes: { bare: PassResult[]; distribution: PassResult[] } = { bare: [], distribution: [] };
    const problems: string[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const mode of ['bare', 'distribution'] as const) {
        // The earlier passes' invitations age past the rule's 30 days: each address has a history the
        // rules read as its recipient is claimed, and each is still due one invitation.
        await db.query(`update distribution_recipients set claimed_at = claimed_at - interval '40 days' where claimed_at is not null`);
        const id = await newDistribution();
        await withClient(url, (c) => c.query('vacuum (analyze) distribution_recipients'));
        sink.counts.clear();
        log(`round ${round}: ${mode}...`);
        const pass = await runPass([`--mode=${mode}`, `--url=${url}`, `--smtp=${sink.url}`, `--id=${id}`, `--connections=${connections}`]);
        passes[mode].push(pass);
        const twice = [...sink.counts.values()].filter((n) => n > 1).length;
        if (sink.counts.size !== recipients || twice > 0 || pass.sent !== recipients) {
          problems.push(`round ${round} ${mode}: ${sink.counts.size} of ${recipients} recipients received mail, ${twice} more than once, ${pass.sent} reported sent`);
        }
        if (mode === 'distribution') {
          const [states] = (await db.query<{ sent: number }>(`select count(*) filter (where state = 'sent')::int as sent from distribution_recipients where distribution_id = $1`, [id])) as [{ sent: number }];
          if (states.sent !== recipients) problems.push(`round ${round}: ${states.sent} recipients recorded sent, expected ${recipients}`);
          const [jobs] = (await db.query<{ n: number }>(`select count(*)::int as n from pgboss.job where name = $1 and data ->> 'distributionId' = $2`, [Queue.surveyFollowUp, String(id)])) as [{ n: number }];
          if (jobs.n !== 2) problems.push(`round ${round}: ${jobs.n} reminder rounds scheduled, expected 2`);
        }
      }
    }
    await db.close();

    const best = (list: PassResult[]) => list.reduce((a, b) => (a.ms <= b.ms ? a : b));
    const bare = best(passes.bare);
    const distribution = best(passes.distribution);
    const perSecond = (p: PassResult) => recipients / (p.ms / 1000);
    const ratio = perSecond(distribution) / perSecond(bare);
    const mb = (p: PassResult) => (p.maxRssKiB / 1024).toFixed(0);
    const rssOk = distribution.maxRssKiB / 1024 <= targets.rssMb;
    const out = [
      '',
      `Distribution benchmark, scale ${benchScale()}: ${recipients.toLocaleString('en')} recipients (contact rules checked: the default 1 per 30 days, each address invited 40 days before; two reminder rounds scheduled), ${connections} pooled SMTP connections to an smtp-server sink on loopback; best of ${rounds} rounds`,
      `PostgreSQL ${serverVersion} (${serverLabel}); Node ${process.version} (passes: ${workerNodeFlags().join(' ')}), ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? '?'})`,
      '',
      table(
        ['pass', 'seconds', 'emails/s', 'vs bare', 'peak RSS MB', 'target', 'result'],
        [
          ['nodemailer pooled, bare (baseline)', (bare.ms / 1000).toFixed(2), perSecond(bare).toFixed(0), '1.00x', mb(bare), 'reference', '-'],
          [
            'sendDistribution (rules, exactly once)', (distribution.ms / 1000).toFixed(2), perSecond(distribution).toFixed(0), `${ratio.toFixed(2)}x`, mb(distribution),
            `>= ${targets.ratio}x, <= ${targets.rssMb} MB`, ratio >= targets.ratio && rssOk ? 'PASS' : 'FAIL',
          ],
        ],
        new Set([1, 2, 3, 4]),
      ),
      `every round: ${passes.bare.map((p) => (p.ms / 1000).toFixed(2)).join(', ')} s bare; ${passes.distribution.map((p) => (p.ms / 1000).toFixed(2)).join(', ')} s distribution`,
      problems.length === 0 ? 'delivery check: OK (every recipient received exactly one message in every pass)' : `delivery check: FAILED\n  ${problems.join('\n  ')}`,
      '',
    ];
    process.stdout.write(out.join('\n'));
    if (problems.length > 0) return 1;
    return process.env.BENCH_STRICT === '1' && (ratio < targets.ratio || !rssOk) ? 1 : 0;
  } finally {
    await sink.close();
    await stop();
  }
}

process.exitCode = await main();
