import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eventually } from '../helpers/eventually.ts';
import { freePort } from '../helpers/database.ts';
import { testDatabase } from '../helpers/hooks.ts';

const root = path.join(import.meta.dirname, '..', '..');

async function sourceFiles(folder: string): Promise<string[]> {
  const entries = await readdir(path.join(root, folder), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
}

/** Every relative module a file imports (static, re-export or dynamic), as a path from the project root. */
async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]!);
  return specifiers.map((s) => path.relative(root, path.resolve(path.dirname(file), s)));
}

describe('the house', () => {
  describe('import direction', () => {
    const rules = [
      { from: 'core', forbidden: ['worker', 'server'] },
      { from: 'server', forbidden: ['worker'] },
    ];
    for (const { from, forbidden } of rules) {
      it(`nothing in ${from}/ imports ${forbidden.join('/ or ')}/`, async () => {
        const wrong: string[] = [];
        for (const file of await sourceFiles(from)) {
          for (const target of await importsOf(file)) {
            if (forbidden.some((f) => target.startsWith(`${f}${path.sep}`))) wrong.push(`${path.relative(root, file)} imports ${target}`);
          }
        }
        assert.deepEqual(wrong, []);
      });
    }
  });

  describe('the web process', () => {
    it('serves the API without loading the worker, the SFTP client, the Salesforce extract or the mail transport', async function () {
      this.timeout(60_000);
      const { url } = await testDatabase(this);
      const port = await freePort();
      const scratch = await mkdtemp(path.join(os.tmpdir(), 'bellwether-modules-'));
      const list = path.join(scratch, 'modules.txt');
      try {
        const web = spawn(process.execPath, ['--import', path.join(root, 'test', 'helpers', 'record-modules.ts'), path.join(root, 'server', 'index.ts')], {
          env: { ...process.env, DATABASE_URL: url, PORT: String(port), LOG_LEVEL: 'warn', ADMIN_API_KEY: 'a-module-graph-test-key', BELLWETHER_DATA_DIR: scratch, RECORD_MODULES_TO: list },
          stdio: ['ignore', 'ignore', 'inherit'],
        });
        const exited = once(web, 'exit');
        await eventually(async () => {
          assert.equal(web.exitCode, null, 'the web process exited');
          assert.equal(await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.status, () => 0), 200);
        }, { what: 'the web process answers its health check', timeoutMs: 30_000, intervalMs: 200 });
        web.kill('SIGTERM');
        await exited;
        const loaded = (await readFile(list, 'utf8')).split('\n');
        assert.ok(loaded.some((u) => u.includes('/server/app.ts')), 'the list of loaded modules is missing the app itself');
        const unwanted = [/\/node_modules\/ssh2(-sftp-client)?\//, /\/node_modules\/nodemailer\//, /\/worker\//, /\/extract\/salesforce\//];
        assert.deepEqual(loaded.filter((u) => unwanted.some((p) => p.test(u))), []);
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    });
  });
});
