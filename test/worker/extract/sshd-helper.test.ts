import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import SftpClient from 'ssh2-sftp-client';
import { startSshd, type Sshd } from '../../helpers/sshd.ts';

/* The test helper proved with the client library the product uses, against a real sshd. */

function quietClient(): SftpClient {
  // The default callbacks print every `end` and `close` event.
  return new SftpClient('test', { error: () => {}, end: () => {}, close: () => {} });
}

const fingerprint = (key: Buffer) => `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;

describe('the OpenSSH test server', function () {
  let sshd: Sshd;
  const clients: SftpClient[] = [];

  function client(): SftpClient {
    const created = quietClient();
    clients.push(created);
    return created;
  }

  before(async function () {
    this.timeout(30_000);
    sshd = await startSshd();
    await writeFile(path.join(sshd.root, 'accounts.csv'), 'id,name\n1,Acme\n');
  });

  afterEach(async function () {
    await Promise.all(clients.splice(0).map((each) => each.end().catch(() => {})));
  });

  after(async function () {
    this.timeout(15_000);
    await sshd?.stop();
  });

  it('accepts the password user and lists the shared folder', async function () {
    this.timeout(15_000);
    const sftp = client();
    await sftp.connect({ host: sshd.host, port: sshd.port, ...sshd.users.password });
    const listing = await sftp.list(sshd.root);
    assert.deepEqual(
      listing.map((entry) => entry.name),
      ['accounts.csv'],
    );
    assert.equal(String(await sftp.get(`${sshd.root}/accounts.csv`)), 'id,name\n1,Acme\n');
  });

  it('accepts the key user with the passphrase, and that user can write to the shared folder', async function () {
    this.timeout(15_000);
    const sftp = client();
    const { username, privateKey, passphrase } = sshd.users.key;
    await sftp.connect({ host: sshd.host, port: sshd.port, username, privateKey, passphrase });
    await sftp.put(Buffer.from('written over sftp\n'), `${sshd.root}/uploaded.txt`);
    assert.equal(String(await sftp.get(`${sshd.root}/uploaded.txt`)), 'written over sftp\n');
    await sftp.delete(`${sshd.root}/uploaded.txt`);
  });

  it('presents the host key whose fingerprint it reports', async function () {
    this.timeout(15_000);
    const seen: string[] = [];
    const sftp = client();
    await sftp.connect({
      host: sshd.host,
      port: sshd.port,
      ...sshd.users.password,
      hostVerifier: (key: Buffer) => {
        seen.push(fingerprint(key));
        return true;
      },
    });
    assert.match(sshd.hostKeyFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.deepEqual(seen, [sshd.hostKeyFingerprint]);
  });

  it('refuses a wrong password', async function () {
    this.timeout(15_000);
    const sftp = client();
    await assert.rejects(
      sftp.connect({ host: sshd.host, port: sshd.port, username: sshd.users.password.username, password: 'wrong', retries: 0 }),
      /authentication methods failed/i,
    );
  });

  it('fails a download in flight when cut() drops the connection', async function () {
    this.timeout(30_000);
    const size = 20 * 1024 * 1024;
    await writeFile(path.join(sshd.root, 'large.bin'), randomBytes(size));
    const sftp = client();
    await sftp.connect({ host: sshd.host, port: sshd.port, ...sshd.users.password });

    let received = 0;
    let cut = false;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (!cut && received >= 1024 * 1024) {
          cut = true;
          sshd.cut();
          // Hold the download (backpressure) while the kill lands, so it cannot finish first.
          setTimeout(done, 200);
        } else done();
      },
    });
    await assert.rejects(sftp.get(`${sshd.root}/large.bin`, sink), Error);
    assert.ok(cut, 'the download never reached 1 MB');
    assert.ok(received < size, `received all ${received} bytes`);

    // The listener survives: a new connection works.
    const again = client();
    await again.connect({ host: sshd.host, port: sshd.port, ...sshd.users.password });
    assert.ok((await again.list(sshd.root)).some((entry) => entry.name === 'large.bin'));
  });

  it('lists connections oldest first, cuts one alone, and stalls one without closing it', async function () {
    this.timeout(30_000);
    const [first, second] = [client(), client()];
    await first.connect({ host: sshd.host, port: sshd.port, ...sshd.users.password });
    await second.connect({ host: sshd.host, port: sshd.port, ...sshd.users.password });
    const closed = new Promise<void>((resolve) => (first as unknown as { client: { once: (e: string, f: () => void) => void } }).client.once('close', resolve));
    assert.equal(sshd.connections().length, 2);

    sshd.connections()[0]!.cut();
    await closed;
    assert.ok((await second.list(sshd.root)).some((entry) => entry.name === 'accounts.csv'), 'the younger connection still works');

    const resume = sshd.connections()[0]!.stall();
    const answer = second.list(sshd.root).then(() => 'answered');
    // A stalled connection answers nothing: half a second of silence is the behaviour under test.
    const silence = new Promise((resolve) => setTimeout(resolve, 500, 'silent'));
    assert.equal(await Promise.race([answer, silence]), 'silent');
    resume();
    assert.equal(await answer, 'answered', 'a stalled connection answers once resumed');
  });
});
