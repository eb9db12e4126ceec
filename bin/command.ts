import { boot, type Runtime } from '../core/boot.ts';
import { isAppError } from '../core/errors.ts';

/**
 * The frame of a command-line tool: boot (quiet logs unless LOG_LEVEL says otherwise), run, print
 * an error by its code, close, and exit with the code the body returned (1 on an error).
 */
export async function runCommand(name: string, body: (runtime: Runtime) => Promise<number>): Promise<never> {
  const runtime = await boot(name, { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  let exitCode = 1;
  try {
    exitCode = await body(runtime);
  } catch (error) {
    console.error(isAppError(error) ? `error ${error.code}: ${error.message}` : error);
  } finally {
    await runtime.close();
  }
  process.exit(exitCode);
}
