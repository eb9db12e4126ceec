// One timed pass of bench:distribution, in its own process so its peak RSS is its own:
//   --mode=distribution  sendDistribution() of distribution --id: claims, renders, sends, records,
//                        then schedules its reminders, as the worker does when a send ends
//   --mode=bare          the same messages rendered up front (not timed), then nodemailer's pooled
//                        transport sending them all, nothing recorded: the baseline
// Prints one JSON line: { ms, sent, maxRssKiB }.
import { parseArgs } from 'node:util';
import { createTransport } from 'nodemailer';
import { PgBoss } from 'pg-boss';
import { createQueues } from '../../core/queues.ts';
import { scheduleReminders } from '../../worker/distribute/reminders.ts';
import { Db } from '../../core/db.ts';
import { createLogger } from '../../core/log.ts';
import { smtpMailer } from '../../core/mail.ts';
import { sendDistribution } from '../../worker/distribute/send-distribution.ts';
import { dueRecipients, findDistributionToSend } from '../../worker/distribute/queries.ts';
import { render, renderSubject } from '../../core/surveys/template.ts';

export type PassResult = { ms: number; sent: number; maxRssKiB: number };

const { values } = parseArgs({ options: { mode: { type: 'string' }, url: { type: 'string' }, smtp: { type: 'string' }, id: { type: 'string' }, connections: { type: 'string' } } });
const connections = Number(values.connections ?? '5');
const publicUrl = 'http://bench.localhost';
const db = new Db(values.url!, { max: connections + 2, applicationName: 'bellwether-bench-distribution' });
const id = Number(values.id);
let result: PassResult;

if (values.mode === 'distribution') {
  const mailer = smtpMailer(values.smtp!, { connections });
  // The job queue is started before the clock, as a worker's is long before a send.
  const boss = new PgBoss({ connectionString: values.url!, schema: 'pgboss', application_name: 'bellwether-bench-distribution' });
  await boss.start();
  await createQueues(boss);
  const started = performance.now();
  const outcome = await sendDistribution({ db, mailer, publicUrl, logger: createLogger('warn', 'bench') }, id);
  await scheduleReminders({ db, boss }, id);
  result = { ms: performance.now() - started, sent: outcome.sent, maxRssKiB: process.resourceUsage().maxRSS };
  await mailer.close();
  await boss.stop({ graceful: false });
} else {
  const distribution = (await findDistributionToSend(db, id))!;
  const messages = (await dueRecipients(db, distribution, 1_000_000)).map((r) => {
    const values = {
      firstName: r.firstName, lastName: r.lastName, accountName: r.accountName, surveyTitle: distribution.surveyTitle,
      surveyLink: `${publicUrl}/s/${r.token}`, optOutLink: `${publicUrl}/o/${r.token}`,
    };
    return {
      from: distribution.from, to: r.email, subject: renderSubject(distribution.subject, values),
      html: render(distribution.html, values, 'html'), text: render(distribution.text, values, 'text'),
      messageId: `<bare.${r.id}@bench.localhost>`,
      headers: { 'List-Unsubscribe': `<${values.optOutLink}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    };
  });
  const url = new URL(values.smtp!);
  const transport = createTransport({ host: url.hostname, port: Number(url.port), secure: false, ignoreTLS: true, pool: true, maxConnections: connections, maxMessages: Infinity });
  const started = performance.now();
  await Promise.all(messages.map((m) => transport.sendMail(m)));
  result = { ms: performance.now() - started, sent: messages.length, maxRssKiB: process.resourceUsage().maxRSS };
  transport.close();
}
await db.close();
process.stdout.write(JSON.stringify(result) + '\n');
