import type { Notifications } from '../notifications.ts';

/** A run that changed: announced by a trigger on sync_runs (sql/040_run_notify.sql). */
export type RunChange = { id: string; workflowId: number | null };

/**
 * Calls `changed` with each run that changes, or with null when changes may have been missed (the
 * listening connection was made again). Resolves once listening; the answer stops it.
 */
export function watchRuns(notifications: Notifications, changed: (change: RunChange | null) => void): Promise<() => Promise<void>> {
  return notifications.subscribe('sync_run_changes', (payload) => changed(payload === null ? null : (JSON.parse(payload) as RunChange)));
}

/** A wake-up that is not lost when it comes before anyone waits: a change while the watcher was reading. */
export class Wakeup {
  #pending = false;
  #resolve: (() => void) | undefined;

  wake(): void {
    this.#pending = true;
    this.#resolve?.();
  }

  /** Resolves at the next wake-up, or at once when one came since the last call. */
  async next(): Promise<void> {
    if (!this.#pending) await new Promise<void>((resolve) => (this.#resolve = resolve));
    this.#resolve = undefined;
    this.#pending = false;
  }
}
