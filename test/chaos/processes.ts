import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabaseIfMissing } from '../../core/database.ts';
import { startEmbeddedPostgres } from '../../core/embedded-postgres.ts';
import { workerNodeFlags } from '../../bench/shared.ts';
import { freePort } from '../helpers/database.ts';

const root = path.join(import.meta.dirname, '..', '..');
/** The product's worker with takeover within seconds (test/helpers/worker-process.ts), and the web process; both as the Procfile starts them. */
const scripts = { worker: path.join(root, 'test', 'helpers', 'worker-process.ts'), web: path.join(root, 'server', 'index.ts') } as const;

export type ProcessKind = keyof typeof scripts;

/**
 * One product process that the storm kills and starts again, as a process manager would. Its log
 * goes to `<name>.log`; an exit the storm did not cause is recorded, since the processes must
 * survive a lost database. A start that fails (the database not back yet) is tried again.
 */
export class SupervisedProcess {
  readonly name: string;
  readonly kind: ProcessKind;
  readonly unexpectedExits: string[] = [];
  failedStarts = 0;
  /** Highest VmHWM (peak RSS) seen over all of its lives, in kB. */
  peakKb = 0;
  readonly #env: NodeJS.ProcessEnv;
  readonly #log: WriteStream;
  readonly #ready: (message: string) => boolean;
  #child: ChildProcess | undefined;
  #killing = false;
  #loading = false;

  constructor(options: { name: string; kind: ProcessKind; env: NodeJS.ProcessEnv; logDir: string }) {
    this.name = options.name;
    this.kind = options.kind;
    this.#env = { ...options.env, LOG_LEVEL: 'info' };
    this.#log = createWriteStream(path.join(options.logDir, `${options.name.replaceAll(' ', '-')}.log`), { flags: 'a' });
    this.#ready = options.kind === 'worker' ? (m) => m === 'worker started' : (m) => m === 'web server listening';
  }

  get pid(): number | undefined {
    return this.running ? this.#child?.pid : undefined;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** A worker between the start of a workflow run and the end of its load, as its log says. */
  get loading(): boolean {
    return this.running && this.#loading;
  }

  /** Resolves once the process says it is ready; starts it again when it exits before that. */
  async start(timeoutSeconds = 90): Promise<void> {
    const deadline = Date.now() + timeoutSeconds * 1000;
    while (!(await this.#startOnce())) {
      this.failedStarts++;
      if (Date.now() > deadline) throw new Error(`${this.name} did not start within ${timeoutSeconds} s (see its log)`);
      await sleep(1000);
    }
  }

  #startOnce(): Promise<boolean> {
    const flags = this.kind === 'worker' ? workerNodeFlags() : [];
    const child = spawn(process.execPath, [...flags, scripts[this.kind]], { cwd: root, env: this.#env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    this.#killing = false;
    this.#loading = false;
    child.stderr!.pipe(this.#log, { end: false });
    const ready = Promise.withResolvers<boolean>();
    let started = false;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      this.#log.write(`${line}\n`);
      const message = line.startsWith('{') ? ((JSON.parse(line) as { msg?: string }).msg ?? '') : '';
      if (message === 'workflow run started') this.#loading = true;
      if (message === 'workflow load finished') this.#loading = false;
      if (!started && this.#ready(message)) {
        started = true;
        ready.resolve(true);
      }
    });
    child.once('exit', (code, signal) => {
      // An exit before it was ready is a failed start (tried again), not a crash.
      if (started && !this.#killing) this.unexpectedExits.push(`${this.name} exited (code ${code}, signal ${signal})`);
      ready.resolve(false);
    });
    return ready.promise;
  }

  /** SIGKILL: no shutdown of any kind, as when its machine or container is gone. */
  async kill(): Promise<void> {
    await this.samplePeak();
    await this.#signal('SIGKILL');
  }

  /** SIGTERM, the graceful stop. */
  async stop(): Promise<void> {
    await this.samplePeak();
    await this.#signal('SIGTERM');
    this.#log.end();
  }

  async #signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    if (!child || !this.running) return;
    this.#killing = true;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }

  async samplePeak(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    this.peakKb = Math.max(this.peakKb, kb);
  }
}

/**
 * The database: the product's embedded PostgreSQL (core/embedded-postgres.ts), run by this process
 * as `npm start` runs it, so that its keeper starts it again when it dies. Killing it is a SIGKILL
 * of the postmaster, what the out-of-memory killer or a crash does.
 */
export type ChaosDatabase = {
  adminUrl: string;
  url: (database: string) => string;
  /** SIGKILL of the server; answers once it is dead (the keeper then starts it again). */
  kill: () => Promise<void>;
  /** Summed proportional set size (shared memory split between its processes) of the server's processes now, in kB. */
  pssKb: () => Promise<number>;
  stop: () => Promise<void>;
};

export async function startChaosDatabase(dataDir: string): Promise<ChaosDatabase> {
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  await createDatabaseIfMissing(server.url('postgres'), 'bellwether');
  const postmaster = async () => Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  return {
    adminUrl: server.url('postgres'),
    url: server.url,
    async kill() {
      const pid = await postmaster();
      process.kill(pid, 'SIGKILL');
      for (let alive = true; alive; await sleep(50)) alive = await readFile(`/proc/${pid}/stat`, 'utf8').then((s) => !/^\d+ \(.*\) Z/.test(s), () => false);
    },
    async pssKb() {
      const pid = await postmaster().catch(() => 0);
      if (!pid) return 0;
      const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
      let kb = 0;
      for (const p of [pid, ...children.split(' ').filter(Boolean)]) {
        kb += Number(/^Pss:\s+(\d+) kB/m.exec(await readFile(`/proc/${p}/smaps_rollup`, 'utf8').catch(() => ''))?.[1] ?? 0);
      }
      return kb;
    },
    stop: server.stop,
  };
}
