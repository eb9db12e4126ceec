import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './database.ts';
import { eventually } from './eventually.ts';

/*
 * A real OpenSSH server for SFTP tests: /usr/sbin/sshd (Debian's openssh-server, which .ci/run
 * installs) on 127.0.0.1 with its own config, host key and log in a temporary folder, serving
 * `internal-sftp` without a chroot. It needs root: it creates two local system users, one for
 * password login and one for key login, and sshd itself must start as root.
 *
 *   const sshd = await startSshd();          // in a describe's before hook
 *   await writeFile(path.join(sshd.root, 'accounts.csv'), csv);
 *   // connect to sshd.host:sshd.port as sshd.users.password or sshd.users.key,
 *   // read `${sshd.root}/accounts.csv` (absolute paths: there is no chroot)
 *   await sshd.rekey();                      // restart with a new host key (sshd.hostKeyFingerprint follows)
 *   sshd.cut();                              // drop every open connection, keep listening
 *   sshd.connections()[0]!.cut();            // drop the oldest open connection only
 *   const resume = sshd.stall();             // freeze the server: connections stay open, nothing answers
 *   await sshd.stop();                       // in the after hook
 */

/** One established connection: the sshd processes that serve it. */
export type SshdConnection = {
  /** Kills its processes: the client sees the connection close (a server restart). */
  cut: () => void;
  /** Stops its processes until the returned function is called: the connection stays open and goes silent (a network drop). */
  stall: () => () => void;
};

export type Sshd = {
  host: '127.0.0.1';
  port: number;
  /** The host key's fingerprint as `ssh-keygen -lf` prints it: `SHA256:<base64 without padding>`. */
  hostKeyFingerprint: string;
  /** A folder both users can read and write; address it by this absolute path over SFTP. */
  root: string;
  users: {
    password: { username: string; password: string };
    /** `privateKey` is an OpenSSH-format ed25519 key encrypted with `passphrase`. */
    key: { username: string; privateKey: string; passphrase: string };
  };
  /** Gives the server a new host key and restarts it (SIGHUP, as after a key rotation); answers the new fingerprint. */
  rekey: () => Promise<string>;
  /** Drops every established connection at once (SIGKILL to every sshd process but the listener). */
  cut: () => void;
  /** The connections open now, oldest first. */
  connections: () => SshdConnection[];
  /** Stops the listener and every connection until the returned function is called. */
  stall: () => () => void;
  /** Kills sshd and its connections and removes the temporary folder. */
  stop: () => Promise<void>;
};

const sshdPath = '/usr/sbin/sshd';
/** Fixed, because the accounts outlive a run and two runs may share them at once. */
const passwordUser = { username: 'bwsftp_pw', password: 'bellwether-sftp-test' };
const keyUsername = 'bwsftp_key';
/** The users' homes: a fixed folder, since the accounts are created once per machine. */
const homesDir = '/var/lib/bellwether-sftp-test';

export async function startSshd(): Promise<Sshd> {
  if (process.getuid?.() !== 0) throw new Error('startSshd needs root (it creates local users and runs sshd)');
  await ensureUsers();

  const dir = await mkdtemp(path.join(os.tmpdir(), 'bellwether-test-sshd-'));
  let child: ChildProcess | undefined;
  try {
    // The users (not root) walk through this folder to reach `root`.
    await chmod(dir, 0o755);
    const root = path.join(dir, 'files');
    await mkdir(root);
    await chmod(root, 0o777);

    const hostKey = path.join(dir, 'host_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bellwether-test-host', '-f', hostKey]);
    const passphrase = randomBytes(12).toString('hex');
    const clientKey = path.join(dir, 'client_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'bellwether-test-client', '-f', clientKey]);
    const authorizedKeys = path.join(dir, 'authorized_keys');
    await writeFile(authorizedKeys, await readFile(`${clientKey}.pub`));
    await chmod(authorizedKeys, 0o644);

    const port = await freePort();
    const config = path.join(dir, 'sshd_config');
    await writeFile(
      config,
      [
        'ListenAddress 127.0.0.1',
        `Port ${port}`,
        `HostKey ${hostKey}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        'UsePAM no',
        // The keys and authorized_keys live under /tmp, owned by root.
        'StrictModes no',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        `AuthorizedKeysFile ${authorizedKeys}`,
        `AllowUsers ${passwordUser.username} ${keyUsername}`,
        'PermitRootLogin no',
        'UseDNS no',
        'Subsystem sftp internal-sftp',
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
    );

    // sshd's privilege separation folder; Debian's service unit creates it, nothing else does.
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    const log = path.join(dir, 'sshd.log');
    child = spawn(sshdPath, ['-D', '-f', config, '-E', log], { stdio: 'ignore' });
    const listener = child;
    let exited: string | undefined;
    let spawnError: Error | undefined;
    listener.once('error', (error) => (spawnError = error));
    listener.once('exit', (code, signal) => (exited = `sshd exited (${signal ?? `code ${code}`})`));
    const readLog = () => readFile(log, 'utf8').catch(() => '(no log)');

    const reason = await eventually(async () => {
      const failed = spawnError ? `could not run ${sshdPath}: ${spawnError.message}` : exited;
      if (!failed) assert.ok(await accepts(port), 'not listening');
      return failed;
    }, { what: 'sshd listens', timeoutMs: 10_000 }).catch((error: Error) => error.message);
    if (reason) throw new Error(`sshd on 127.0.0.1:${port}: ${reason}\n${await readLog()}`);

    const pid = listener.pid!;
    const cut = () => {
      for (const descendant of descendantsOf(pid)) kill(descendant, 'SIGKILL');
    };
    const resume = () => {
      for (const p of [pid, ...descendantsOf(pid)]) kill(p, 'SIGCONT');
    };
    // mocha runs with `exit: true`: a forgotten stop() must not leave sshd behind.
    const onExit = () => {
      cut();
      kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', onExit);

    const hostKeyFingerprint = fingerprintOf(await readFile(`${hostKey}.pub`, 'utf8'));
    const privateKey = await readFile(clientKey, 'utf8');
    const sshd: Sshd = {
      host: '127.0.0.1',
      port,
      hostKeyFingerprint,
      root,
      users: { password: { ...passwordUser }, key: { username: keyUsername, privateKey, passphrase } },
      rekey: async () => {
        await rm(hostKey);
        await rm(`${hostKey}.pub`);
        await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bellwether-test-host', '-f', hostKey]);
        const listening = (await readLog()).split('Server listening on').length;
        kill(pid, 'SIGHUP');
        // sshd re-executes itself on SIGHUP, reading its host keys again, and says so once it listens.
        await eventually(async () => assert.ok((await readLog()).split('Server listening on').length > listening, 'not listening again'), { what: 'sshd restarts', timeoutMs: 10_000 });
        sshd.hostKeyFingerprint = fingerprintOf(await readFile(`${hostKey}.pub`, 'utf8'));
        return sshd.hostKeyFingerprint;
      },
      cut,
      connections: () =>
        childrenInStartOrder(pid).map((monitor) => {
          const processes = () => [monitor, ...descendantsOf(monitor)];
          return {
            cut: () => processes().forEach((p) => kill(p, 'SIGKILL')),
            stall: () => {
              const stalled = processes();
              stalled.forEach((p) => kill(p, 'SIGSTOP'));
              return () => stalled.forEach((p) => kill(p, 'SIGCONT'));
            },
          };
        }),
      stall: () => {
        for (const p of [pid, ...descendantsOf(pid)]) kill(p, 'SIGSTOP');
        return resume;
      },
      stop: async () => {
        process.removeListener('exit', onExit);
        // A stalled listener would not see SIGTERM.
        resume();
        // The listener's SIGTERM handler does not end established connections: cut them first.
        cut();
        if (!exited) {
          const gone = new Promise((resolve) => listener.once('exit', resolve));
          listener.kill('SIGTERM');
          await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5_000))]);
          if (!exited) listener.kill('SIGKILL');
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
    return sshd;
  } catch (error) {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** `SHA256:` and the unpadded base64 of the sha256 of the key blob, as `ssh-keygen -lf` prints. */
function fingerprintOf(publicKeyLine: string): string {
  const blob = publicKeyLine.trim().split(/\s+/)[1];
  if (!blob) throw new Error(`not an OpenSSH public key: ${publicKeyLine}`);
  return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/*
 * The two accounts, created once per machine and brought back to the state sshd needs on every
 * start. With `UsePAM no`, sshd refuses every login (keys included) to an account whose
 * password field starts with `!` (locked: useradd's default) and to one whose shell is not
 * executable; `internal-sftp` never runs the shell, but it has to exist.
 */
async function ensureUsers(): Promise<void> {
  await mkdir(homesDir, { recursive: true, mode: 0o755 });
  for (const username of [passwordUser.username, keyUsername]) {
    const home = path.join(homesDir, username);
    if (!(await succeeds('id', ['-u', username]))) {
      // Exit code 9: created meanwhile by a concurrent run.
      await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', home, '--shell', '/bin/sh', username], { okCodes: [9] });
    }
    await mkdir(home, { recursive: true, mode: 0o755 });
    const [uid, gid] = await Promise.all([run('id', ['-u', username]), run('id', ['-g', username])]);
    await chown(home, Number(uid), Number(gid));
  }
  // A real password for one; `*` for the other: no password matches it, but it is not locked.
  await withRetries(() => run('chpasswd', [], { input: `${passwordUser.username}:${passwordUser.password}\n` }));
  await withRetries(() => run('usermod', ['--password', '*', '--shell', '/bin/sh', keyUsername]));
  await withRetries(() => run('usermod', ['--shell', '/bin/sh', passwordUser.username]));
}

/** /etc/passwd and /etc/shadow are locked while another run edits them: try again briefly. */
async function withRetries<T>(action: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action();
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

function run(command: string, args: string[], options: { input?: string; okCodes?: number[] } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0 || (code !== null && options.okCodes?.includes(code))) resolve(stdout.trim());
      else reject(new Error(`${command} ${args.join(' ')} failed (code ${code}): ${stderr.trim()}`));
    });
    if (child.stdin) {
      child.stdin.once('error', () => {}); // exited before reading: the exit code tells
      child.stdin.end(options.input);
    }
  });
}

async function succeeds(command: string, args: string[]): Promise<boolean> {
  return run(command, args).then(
    () => true,
    () => false,
  );
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The listener's children, one privileged monitor per connection, in the order they started. */
function childrenInStartOrder(pid: number): number[] {
  const children = processTable().filter((p) => p.ppid === pid);
  return children.sort((a, b) => a.startTime - b.startTime || a.pid - b.pid).map((p) => p.pid);
}

/*
 * Every process under the listener. Each connection is a tree: the privileged monitor (a child
 * of the listener, in its own session), the unprivileged process that holds the TCP socket and
 * the forked `internal-sftp` process (in yet another session), so neither a process group nor
 * `pkill -P` reaches them all. Found by walking /proc's parent links; listed parents first.
 */
function descendantsOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const { pid: child, ppid } of processTable()) {
    const siblings = children.get(ppid) ?? [];
    siblings.push(child);
    children.set(ppid, siblings);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Every process with its parent and start time (in clock ticks since boot), from /proc. */
function processTable(): { pid: number; ppid: number; startTime: number }[] {
  const table: { pid: number; ppid: number; startTime: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // `pid (comm) state ppid ...`; comm may hold spaces and parentheses. Start time is field 22.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    table.push({ pid: Number(entry), ppid: Number(fields[1]), startTime: Number(fields[19]) });
  }
  return table;
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
