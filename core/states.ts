/*
 * The states a run, a distribution and a recipient move through. The SQL check constraints on their
 * tables list the same values; test/sql/states.test.ts keeps the two in step.
 */

/** A sync run: it runs, then it succeeded or failed (cancelled and abandoned runs failed, with their error code). */
export const RunState = { running: 'running', succeeded: 'succeeded', failed: 'failed' } as const;
export type RunState = (typeof RunState)[keyof typeof RunState];

/** A survey distribution: waiting for its send time, sending, or done. */
export const DistributionState = { scheduled: 'scheduled', sending: 'sending', finished: 'finished' } as const;
export type DistributionState = (typeof DistributionState)[keyof typeof DistributionState];

/**
 * One invitation: waiting, handed to the SMTP server, accepted, refused for good, left out (with a
 * reason), or claimed by a sender that stopped before knowing whether it went out (never re-sent).
 */
export const RecipientState = { pending: 'pending', sending: 'sending', sent: 'sent', failed: 'failed', skipped: 'skipped', inDoubt: 'in_doubt' } as const;
export type RecipientState = (typeof RecipientState)[keyof typeof RecipientState];

/** A reminder or thank-you email: claimed just before its SMTP transaction, then sent or refused; in doubt when its sender stopped midway. */
export const FollowUpState = { sending: 'sending', sent: 'sent', failed: 'failed', inDoubt: 'in_doubt' } as const;
export type FollowUpState = (typeof FollowUpState)[keyof typeof FollowUpState];
