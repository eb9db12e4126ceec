import { AppError, ErrorCode } from '../../../core/errors.ts';

/** The org's daily API requests as Salesforce last reported them (`Sforce-Limit-Info: api-usage=used/max`). */
export type OrgUsage = { used: number; max: number };

/**
 * The share of the org's remaining daily API requests (a rolling 24 hours) one run may take, so a
 * sync never starves the org's other integrations. The first response of the run tells what is
 * left; the run is checked against its share once planned, before it opens any Bulk job, and again
 * on every response, where the org's own count (other clients' requests included) is what matters.
 * https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_api.htm
 */
export class ApiBudget {
  readonly share: number;
  private readonly where: string;
  private start: OrgUsage | undefined;
  last: OrgUsage | undefined;

  constructor(share: number, where: string) {
    this.share = share;
    this.where = where;
  }

  /** Requests the run may take: its share of what the org had left when the run began; unknown until the first response. */
  get allowance(): number | undefined {
    return this.start && Math.floor(this.share * (this.start.max - this.start.used + 1));
  }

  /** Reads a response's Sforce-Limit-Info; once the run has taken more than its share, an answered request stops it. */
  observe(header: string | null, answered: boolean): void {
    const parts = /api-usage=(\d+)\/(\d+)/.exec(header ?? '');
    if (!parts) return;
    this.last = { used: Number(parts[1]), max: Number(parts[2]) };
    this.start ??= this.last;
    const taken = this.last.used - this.start.used + 1;
    if (answered && taken > this.allowance!) {
      throw this.over(`the org has counted ${taken.toLocaleString('en')} API requests since this run began`);
    }
  }

  /** Before the run opens its jobs: `calls` made so far and `planned` still to make must fit its share. */
  check(calls: number, planned: number): void {
    const allowance = this.allowance;
    if (allowance !== undefined && calls + planned > allowance) {
      throw this.over(`this run would take about ${(calls + planned).toLocaleString('en')} API requests`);
    }
  }

  /** REQUEST_LIMIT_EXCEEDED: the org is out of requests; waiting minutes would not help. */
  exhausted(detail: string, cause: unknown): AppError {
    return new AppError(ErrorCode.SALESFORCE_BUDGET, `${this.where}: the org is over its daily API request limit${this.numbers()} (${detail}); the sync waits until the org's rolling 24 hours have room`, { cause });
  }

  private over(what: string): AppError {
    const left = this.start ? ` of the ${(this.start.max - this.start.used + 1).toLocaleString('en')} the org had left today` : '';
    return new AppError(
      ErrorCode.SALESFORCE_BUDGET,
      `${this.where}: ${what}, more than ${Math.round(this.share * 100)}%${left}${this.numbers()}; the run stopped and the directory is unchanged`,
    );
  }

  private numbers(): string {
    return this.last ? ` (${this.last.used.toLocaleString('en')} of ${this.last.max.toLocaleString('en')} used in the last 24 hours)` : '';
  }
}
