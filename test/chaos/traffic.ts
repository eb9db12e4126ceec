import { setTimeout as sleep } from 'node:timers/promises';
import type { SmtpSink } from '../helpers/smtp-sink.ts';
import type { Random } from './random.ts';

/** What the storm's clients did, and how the product answered. */
export type TrafficCounts = {
  triggers: { accepted: number; refused: number; failed: number };
  answers: { acknowledged: number; failed: number };
  widgetReads: { ok: number; failed: number };
};

export function noTraffic(): TrafficCounts {
  return { triggers: { accepted: 0, refused: 0, failed: 0 }, answers: { acknowledged: 0, failed: 0 }, widgetReads: { ok: 0, failed: 0 } };
}

/**
 * The survey answers sent so far, per invitation token: every score sent, and whether the product
 * acknowledged one (a 2xx). Invitations are taken from the mail server as they arrive.
 */
export class AnswerBook {
  readonly byToken = new Map<string, { scores: number[]; acknowledged: boolean }>();
  readonly #sink: SmtpSink;
  readonly #unanswered: string[] = [];
  #seen = 0;

  constructor(sink: SmtpSink) {
    this.#sink = sink;
  }

  /** A token to answer: mostly one not answered yet, sometimes a changed answer to an acknowledged one. */
  pick(random: Random): string | undefined {
    for (const mail of this.#sink.received.slice(this.#seen)) {
      const token = /\/s\/([\w-]+)/.exec(mail.text)?.[1];
      if (token) this.#unanswered.push(token);
    }
    this.#seen = this.#sink.received.length;
    const acknowledged = [...this.byToken].filter(([, a]) => a.acknowledged);
    if (acknowledged.length > 0 && (random.next() < 0.2 || this.#unanswered.length === 0)) return random.pick(acknowledged)[0];
    if (this.#unanswered.length === 0) return undefined;
    return this.#unanswered.splice(Math.floor(random.next() * this.#unanswered.length), 1)[0];
  }

  record(token: string, score: number, acknowledged: boolean): void {
    const answer = this.byToken.get(token) ?? { scores: [], acknowledged: false };
    answer.scores.push(score);
    answer.acknowledged ||= acknowledged;
    this.byToken.set(token, answer);
    // Not acknowledged: the respondent presses send again later.
    if (!answer.acknowledged) this.#unanswered.push(token);
  }
}

export type TrafficTarget = { base: string; adminKey: string; workflowIds: readonly number[]; widgetConfigId: number; answers: AnswerBook };

/** An HTTP status, or null when the request got no answer (the process down, the connection cut). */
async function statusOf(url: string, init: RequestInit = {}): Promise<number | null> {
  try {
    const reply = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
    await reply.arrayBuffer();
    return reply.status;
  } catch {
    return null;
  }
}

/**
 * Clients of every kind at once until `stop`: an admin starting workflow runs, respondents answering
 * their invitations (each from an address of its own, behind the proxy TRUST_PROXY names), and a
 * portal reading the widget's data.
 */
export function startTraffic(target: TrafficTarget, random: Random, counts: TrafficCounts): { stop: () => Promise<void> } {
  let stopping = false;
  const admin = { authorization: `Bearer ${target.adminKey}` };
  const loop = async (pauseSeconds: [number, number], act: () => Promise<void>) => {
    while (!stopping) {
      await act();
      await sleep(random.between(...pauseSeconds) * 1000);
    }
  };
  const trigger = async () => {
    const status = await statusOf(`${target.base}/api/workflows/${random.pick(target.workflowIds)}/runs`, { method: 'POST', headers: admin });
    if (status === 202) counts.triggers.accepted++;
    else if (status === 409) counts.triggers.refused++;
    else counts.triggers.failed++;
  };
  const answer = async () => {
    const token = target.answers.pick(random);
    if (!token) return;
    const score = Math.floor(random.next() * 11);
    const address = `10.${Math.floor(random.next() * 256)}.${Math.floor(random.next() * 256)}.${1 + Math.floor(random.next() * 254)}`;
    const status = await statusOf(`${target.base}/s/${token}`, { method: 'POST', headers: { 'x-forwarded-for': address }, body: new URLSearchParams({ score: String(score) }) });
    const acknowledged = status !== null && status >= 200 && status < 300;
    target.answers.record(token, score, acknowledged);
    if (acknowledged) counts.answers.acknowledged++;
    else counts.answers.failed++;
  };
  const readWidget = async () => {
    const status = await statusOf(`${target.base}/api/widgets/strategic-accounts?config=${target.widgetConfigId}`, { headers: admin });
    if (status === 200) counts.widgetReads.ok++;
    else counts.widgetReads.failed++;
  };
  const loops = [loop([0.5, 1.5], trigger), loop([0.15, 0.5], answer), loop([0.15, 0.5], answer), loop([0.3, 1], readWidget)];
  return {
    stop: async () => {
      stopping = true;
      await Promise.all(loops);
    },
  };
}
