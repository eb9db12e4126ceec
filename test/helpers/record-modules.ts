import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';

/*
 * Preloaded with `node --import` by the module-graph test: records the URL of every module the
 * process loads, through import or require, and writes the list to RECORD_MODULES_TO on exit.
 */
const loaded = new Set<string>();
registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});
const target = process.env.RECORD_MODULES_TO;
if (target) process.on('exit', () => writeFileSync(target, [...loaded].join('\n')));
