import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const root = path.join(import.meta.dirname, '..', '..');

describe('the check for what a test leaves running', () => {
  it('fails each test that leaves a timer, a server or a pool running, names what, and fails the run', async function () {
    this.timeout(90_000);
    const run = await promisify(execFile)(process.execPath, [path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), 'test/house/fixtures/leaks.ts'], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    assert.notEqual(run.code, 0, run.stdout);
    assert.match(run.stdout, /\n1 passed, 3 failed\n/);
    assert.match(run.stdout, /leaves a timer:\n\s+Error: the test left running what keeps the process alive \(1 Timeout\)/);
    assert.match(run.stdout, /leaves a server listening:\n\s+Error: the test left running what keeps the process alive \(1 TCPServerWrap\)/);
    assert.match(run.stdout, /leaves a pool open on its database:\n\s+Error: the test left running what keeps the process alive \(1 TCPSocketWrap\)/);
  });
});
