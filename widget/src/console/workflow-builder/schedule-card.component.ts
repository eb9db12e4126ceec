import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { nextRunAt, weekdays } from '../../../../core/workflows/next-run.ts';
import { shared } from '../shared.styles.ts';
import { builderStyles } from './builder.styles.ts';
import { fieldError, type FieldErrors, type Schedule } from './draft.ts';

type Mode = 'none' | 'daily' | 'hourly' | 'weekly' | 'cron';

/**
 * The zones to pick from, `zone` among them: the browser lists some by their old names (Europe/Kiev),
 * so a schedule saved as Europe/Kyiv, or the browser's own zone by its new name, is added in its place.
 */
function zonesWith(zone: string): string[] {
  const listed = Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC');
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const extra of [zone, own]) if (extra !== 'UTC' && !listed.includes(extra)) listed.push(extra);
  return ['UTC', ...listed.sort()];
}

/** The next `n` times a schedule fires after `from`; fewer when its cron is one this page cannot read. */
function nextRuns(schedule: Parameters<typeof nextRunAt>[0], from: Date, n: number): Date[] {
  const times: Date[] = [];
  let after = from;
  while (times.length < n) {
    const next = nextRunAt(schedule, after);
    if (!next) break;
    times.push(next);
    after = next;
  }
  return times;
}

function modeOf(schedule: Schedule | undefined): Mode {
  if (!schedule) return 'none';
  if ('cron' in schedule) return 'cron';
  if ('hourly' in schedule) return 'hourly';
  if ('daily' in schedule) return 'daily';
  return 'weekly';
}

/**
 * When a workflow runs: daily at, hourly at, weekly on a day at, or a cron, each in a time zone;
 * the next three times it would start, and whether it is enabled.
 *
 * @summary The schedule card of the workflow builder.
 * @fires schedule-change - detail: the schedule, or undefined for on demand only.
 * @fires enabled-change - detail: whether the workflow is enabled.
 */
export class ScheduleCardElement extends LitElement {
  static override styles = [shared, builderStyles];

  static override properties = { schedule: { attribute: false }, enabled: { type: Boolean }, errors: { attribute: false } };

  declare schedule: Schedule | undefined;
  declare enabled: boolean;
  declare errors: FieldErrors;

  constructor() {
    super();
    this.schedule = undefined;
    this.enabled = true;
    this.errors = {};
  }

  #change(schedule: Schedule | undefined): void {
    this.dispatchEvent(new CustomEvent('schedule-change', { detail: schedule }));
  }

  #mode(mode: Mode): void {
    const timeZone = this.schedule?.timeZone ?? 'UTC';
    const by: Record<Mode, Schedule | undefined> = {
      none: undefined,
      daily: { daily: '06:00', timeZone },
      hourly: { hourly: 0, timeZone },
      weekly: { weekly: 'monday', at: '06:00', timeZone },
      cron: { cron: '0 6 * * *', timeZone },
    };
    this.#change(by[mode]);
  }

  #set(part: Partial<Record<string, string | number>>): void {
    this.#change({ ...this.schedule, ...part } as Schedule);
  }

  #fields(schedule: Schedule): TemplateResult {
    const time = (value: string, key: string) => html`<label>At (HH:MM)
      <input type="time" .value=${value} aria-describedby="schedule-${key}-error" @change=${(e: Event) => this.#set({ [key]: (e.target as HTMLInputElement).value })}></label>
      ${fieldError(this.errors, key, `schedule-${key}-error`)}`;
    if ('cron' in schedule) {
      return html`<label>Cron (five fields)<input .value=${schedule.cron} aria-describedby="schedule-cron-error" @change=${(e: Event) => this.#set({ cron: (e.target as HTMLInputElement).value })}></label>
        ${fieldError(this.errors, 'cron', 'schedule-cron-error')}`;
    }
    if ('hourly' in schedule) {
      return html`<label>Minute past each hour<input type="number" min="0" max="59" .value=${String(schedule.hourly)} aria-describedby="schedule-hourly-error" @change=${(e: Event) => this.#set({ hourly: Number((e.target as HTMLInputElement).value) })}></label>
        ${fieldError(this.errors, 'hourly', 'schedule-hourly-error')}`;
    }
    if ('daily' in schedule) return time(schedule.daily, 'daily');
    return html`<label>On<select @change=${(e: Event) => this.#set({ weekly: (e.target as HTMLSelectElement).value })}>
        ${weekdays.map((d) => html`<option value=${d} ?selected=${schedule.weekly === d}>${d[0]!.toUpperCase() + d.slice(1)}</option>`)}
      </select></label>${time(schedule.at, 'at')}`;
  }

  override render(): TemplateResult {
    const schedule = this.schedule;
    const mode = modeOf(schedule);
    const timeZone = schedule?.timeZone ?? 'UTC';
    const next = schedule && this.enabled ? nextRuns({ ...schedule, timeZone } as Parameters<typeof nextRunAt>[0], new Date(), 3) : [];
    // On the schedule's own clock: "Wednesday 09:15 in Berlin" reads as set, whatever zone the browser is in.
    const wall = new Intl.DateTimeFormat(undefined, { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    return html`<fieldset class="card">
      <legend>Schedule</legend>
      <div class="row">
        <label>Runs<select @change=${(e: Event) => this.#mode((e.target as HTMLSelectElement).value as Mode)}>
          ${(['none', 'daily', 'hourly', 'weekly', 'cron'] as const).map((m) => html`<option value=${m} ?selected=${mode === m}>${{ none: 'On demand only', daily: 'Daily at', hourly: 'Hourly at', weekly: 'Weekly on', cron: 'Cron' }[m]}</option>`)}
        </select></label>
        ${schedule ? this.#fields(schedule) : nothing}
        ${schedule ? html`<label>Time zone<select aria-describedby="schedule-zone-error" @change=${(e: Event) => this.#set({ timeZone: (e.target as HTMLSelectElement).value })}>
          ${zonesWith(timeZone).map((z) => html`<option ?selected=${timeZone === z}>${z}</option>`)}
        </select></label>${fieldError(this.errors, 'timeZone', 'schedule-zone-error')}` : nothing}
        <label class="choice"><input type="checkbox" .checked=${this.enabled} @change=${(e: Event) => this.dispatchEvent(new CustomEvent('enabled-change', { detail: (e.target as HTMLInputElement).checked }))}> Enabled</label>
      </div>
      ${fieldError(this.errors, '', 'schedule-error')}
      ${schedule ? html`<p class="status" aria-live="polite">${!this.enabled ? 'Disabled: it does not run on its schedule.'
        : next.length ? html`Next runs: ${next.map((d, i) => html`${i ? '; ' : ''}<time datetime=${d.toISOString()}>${wall.format(d)}</time>`)} (${timeZone})` : 'The next run times cannot be worked out here.'}</p>` : nothing}
    </fieldset>`;
  }
}
