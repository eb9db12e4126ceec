import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { eventually } from './eventually.ts';

/** A message the sink accepted, parsed as a mail client would. */
export type ReceivedMail = { receivedAt: Date; to: string; from: string; subject: string; text: string; html: string; messageId: string; headers: Map<string, unknown> };

/** What the sink answers to the next message to `to`: accept it, or refuse it with an SMTP reply code. */
export type SinkBehaviour = (to: string) => 'accept' | { code: number; message: string };

/**
 * A real SMTP server (smtp-server) that keeps every message it accepts, parsed with mailparser.
 * `behave` decides per message whether to refuse it (a 421 outage, a 550 unknown mailbox);
 * `delayMs` holds each reply back, so a test can stop a sender in the middle of a distribution.
 */
export type SmtpSink = {
  url: string;
  received: ReceivedMail[];
  behave: (behaviour: SinkBehaviour) => void;
  delayMs: (ms: number) => void;
  /** Resolves once `count` messages have been accepted. */
  waitFor: (count: number, timeoutMs?: number) => Promise<void>;
  close: () => Promise<void>;
};

export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  let behaviour: SinkBehaviour = () => 'accept';
  let delay = 0;
  const server = new SMTPServer({
    // The bundled certificate has expired: no STARTTLS, plain SMTP on loopback.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 1024 * 1024,
    onRcptTo(address, _session, callback) {
      const decision = behaviour(address.address);
      if (decision === 'accept') return callback();
      callback(Object.assign(new Error(decision.message), { responseCode: decision.code }));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        async (mail) => {
          if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
          received.push({
            receivedAt: new Date(),
            to: session.envelope.rcptTo.map((r) => r.address).join(','),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
            messageId: mail.messageId ?? '',
            headers: mail.headers as Map<string, unknown>,
          });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  // A sender that dies mid-session (a killed worker) resets its connection: that is the test, not a failure.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}?ignoreTLS=true`,
    received,
    behave: (b) => (behaviour = b),
    delayMs: (ms) => (delay = ms),
    async waitFor(count, timeoutMs = 20_000) {
      await eventually(() => assert.ok(received.length >= count, `${received.length} received`), { what: `the SMTP sink receives ${count} messages`, timeoutMs, intervalMs: 25 });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The links a message carries, by path prefix: `/s/` survey, `/o/` opt-out. */
export function linksOf(mail: ReceivedMail): { survey: string; optOut: string } {
  const links = mail.text.match(/https?:\/\/\S+/g) ?? [];
  const survey = links.find((l) => l.includes('/s/'));
  const optOut = links.find((l) => l.includes('/o/'));
  if (!survey || !optOut) throw new Error(`no survey and opt-out links in:\n${mail.text}`);
  return { survey, optOut };
}
