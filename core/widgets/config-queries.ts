import type { Queryable } from '../db.ts';
import { AppError, ErrorCode, isAppError } from '../errors.ts';
import { checkAgainstDirectory, parseWidgetConfig, storedSettings, type WidgetConfig, type WidgetSettings } from './config.ts';

const columns = `id::int, name, directory_id::int as "directoryId", settings, created_at as "createdAt", updated_at as "updatedAt"`;

type Row = { id: number; name: string; directoryId: number; settings: WidgetSettings; createdAt: Date; updatedAt: Date };

function toConfig({ settings, createdAt, updatedAt, ...row }: Row): WidgetConfig {
  return { ...row, ...storedSettings(settings), createdAt, updatedAt };
}

function nameTaken(name: string) {
  return (error: { code?: string }) => {
    if (error.code === '23505') throw new AppError(ErrorCode.CONFLICT, `a widget configuration named "${name}" already exists`);
    throw error;
  };
}

export async function createWidgetConfig(db: Queryable, input: unknown): Promise<WidgetConfig> {
  const { name, directoryId, settings } = parseWidgetConfig(input);
  await checkAgainstDirectory(db, directoryId, settings);
  const [row] = await db
    .query<Row>(`insert into widget_configs (name, directory_id, settings) values ($1, $2, $3) returning ${columns}`, [name, directoryId, settings])
    .catch(nameTaken(name));
  return toConfig(row!);
}

export async function listWidgetConfigs(db: Queryable): Promise<WidgetConfig[]> {
  return (await db.query<Row>(`select ${columns} from widget_configs order by lower(name), id`)).map(toConfig);
}

export async function findWidgetConfig(db: Queryable, id: number): Promise<WidgetConfig> {
  const [row] = await db.query<Row>(`select ${columns} from widget_configs where id = $1`, [id]);
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, `widget configuration ${id} does not exist`);
  return toConfig(row);
}

/**
 * The configuration "My accounts" shows a directory with: its first one, or one with the default
 * settings created now (by whichever request comes first).
 */
export async function defaultWidgetConfig(db: Queryable, directoryId: number): Promise<WidgetConfig> {
  const first = async () => (await db.query<Row>(`select ${columns} from widget_configs where directory_id = $1 order by id limit 1`, [directoryId]))[0];
  const found = await first();
  if (found) return toConfig(found);
  try {
    // Named for people: the element shows it as its title. A name taken already keeps the id.
    const [directory] = await db.query<{ name: string }>('select name from directories where id = $1', [directoryId]);
    const named = `My accounts in ${directory?.name ?? `directory ${directoryId}`}`;
    const taken = await db.query('select 1 from widget_configs where name = $1', [named]);
    return await createWidgetConfig(db, { name: taken.length ? `${named} (${directoryId})` : named, directoryId });
  } catch (error) {
    const created = isAppError(error) && error.code === ErrorCode.CONFLICT ? await first() : undefined;
    if (!created) throw error;
    return toConfig(created);
  }
}

/** Applies the fields given over the saved ones and checks the result whole, as a new one would be. */
export async function updateWidgetConfig(db: Queryable, id: number, change: Record<string, unknown>): Promise<WidgetConfig> {
  const { id: _id, createdAt: _c, updatedAt: _u, ...current } = await findWidgetConfig(db, id);
  const { name, directoryId, settings } = parseWidgetConfig({ ...current, ...change });
  await checkAgainstDirectory(db, directoryId, settings);
  const [row] = await db
    .query<Row>(
      `update widget_configs set name = $2, directory_id = $3, settings = $4, updated_at = now() where id = $1 returning ${columns}`,
      [id, name, directoryId, settings],
    )
    .catch(nameTaken(name));
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, `widget configuration ${id} does not exist`);
  return toConfig(row);
}

export async function deleteWidgetConfig(db: Queryable, id: number): Promise<void> {
  const removed = await db.query('delete from widget_configs where id = $1 returning 1', [id]);
  if (removed.length === 0) throw new AppError(ErrorCode.NOT_FOUND, `widget configuration ${id} does not exist`);
}
