// `npm run directory -- list | create NAME | rename ID NAME | delete ID [--yes]`: the directories a
// load can target (`npm run load -- --directory ID`), from a shell or a script.
import { parseArgs } from 'node:util';
import { createDirectory, deleteDirectory, directoryInput, findDirectory, listDirectories, renameDirectory } from '../core/directory/directories.ts';
import { describeIssues } from '../core/errors.ts';
import { runCommand } from './command.ts';

const usage = `usage: npm run directory -- list
       npm run directory -- create NAME
       npm run directory -- rename ID NAME
       npm run directory -- delete ID [--yes]   (without --yes: says what it would remove)`;

const { values, positionals } = (() => {
  try {
    return parseArgs({ options: { yes: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return process.exit(2);
  }
})();
const [command, ...rest] = positionals;
const id = (raw: string | undefined) => (raw !== undefined && /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : undefined);
const name = (raw: string | undefined) => {
  const parsed = directoryInput.safeParse({ name: raw });
  if (parsed.success) return parsed.data.name;
  console.error(`${describeIssues(parsed.error)}\n\n${usage}`);
  return process.exit(2);
};
const valid =
  (command === 'list' && rest.length === 0) ||
  (command === 'create' && rest.length === 1) ||
  (command === 'rename' && rest.length === 2 && id(rest[0]) !== undefined) ||
  (command === 'delete' && rest.length === 1 && id(rest[0]) !== undefined);
if (values.help || !valid) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}

await runCommand('directory', async ({ db }) => {
  const show = (d: { id: number; name: string; accounts: number; contacts: number }) =>
    `${String(d.id).padStart(4)}  ${d.name}  (${d.accounts} accounts, ${d.contacts} contacts)`;
  if (command === 'list') {
    for (const directory of await listDirectories(db)) console.log(show(directory));
    return 0;
  }
  if (command === 'create') {
    const created = await createDirectory(db, name(rest[0]));
    console.log(`Created directory ${created.id} "${created.name}". Load into it with: npm run load -- --directory ${created.id} ...`);
    return 0;
  }
  if (command === 'rename') {
    const renamed = await renameDirectory(db, id(rest[0])!, name(rest[1]));
    console.log(`Renamed directory ${renamed.id} to "${renamed.name}".`);
    return 0;
  }
  const target = id(rest[0])!;
  const { name: current, removes } = await findDirectory(db, target);
  const what = `${removes.accounts} accounts, ${removes.contacts} contacts, ${removes.runs} runs, ${removes.mailingLists} mailing lists and ${removes.widgetConfigs} widget configurations`;
  if (!values.yes) {
    console.log(`Deleting directory ${target} "${current}" removes ${what}. Run again with --yes to delete it.`);
    return 1;
  }
  await deleteDirectory(db, target);
  console.log(`Deleted directory ${target} "${current}" with ${what}.`);
  return 0;
});
