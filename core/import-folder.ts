import { readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ErrorCode } from './errors.ts';

/** Symbolic links followed before a path counts as a loop (Linux's own limit). */
const maxLinks = 40;

/**
 * Where `file` really is, read relative to the import folder (an absolute path is taken as it
 * is): symbolic links and `..` resolved, so a workflow reads nothing outside the folder the
 * operator set aside for exports. A file not there yet (an export still to come) is placed by
 * the nearest folder above it that is. Throws FILE_OUTSIDE_IMPORT_DIR when that is outside, and
 * SOURCE_UNREADABLE when the path cannot be followed (a loop of links, a file used as a folder).
 */
export async function resolveImportPath(importDir: string, file: string): Promise<string> {
  let root: string, real: string;
  try {
    [root, real] = await Promise.all([realLocation(path.resolve(importDir)), realLocation(path.resolve(importDir, file))]);
  } catch (error) {
    throw new AppError(ErrorCode.SOURCE_UNREADABLE, `${file}: cannot resolve the path (${(error as NodeJS.ErrnoException).code})`, { cause: error });
  }
  const relative = path.relative(root, real);
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    throw new AppError(ErrorCode.FILE_OUTSIDE_IMPORT_DIR, `${file} is outside the import folder ${importDir} (IMPORT_DIR)`);
  }
  return real;
}

/** The real path of `absolute`, or of the nearest existing folder above it joined with the rest. */
async function realLocation(absolute: string, links = 0): Promise<string> {
  try {
    return await realpath(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  // Missing, or a link whose target is missing: a dangling link is followed, or it would be
  // judged by where it sits rather than by where it will lead once its target appears.
  const target = await readlink(absolute).catch(() => undefined);
  if (target !== undefined) {
    if (links >= maxLinks) throw Object.assign(new Error(`${absolute}: too many symbolic links`), { code: 'ELOOP' });
    return realLocation(path.resolve(path.dirname(absolute), target), links + 1);
  }
  const parent = path.dirname(absolute);
  if (parent === absolute) return absolute;
  return path.join(await realLocation(parent, links), path.basename(absolute));
}
