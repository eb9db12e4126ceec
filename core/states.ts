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

/** Of a run's mailing list, whom a distribution invites: the contacts the run added, those it added or changed, or every member. */
export const Audience = { new: 'new', newOrChanged: 'newOrChanged', all: 'all' } as const;
export type Audience = (typeof Audience)[keyof typeof Audience];

/**
 * Why a recipient was left out: gone from the directory, no address, opted out; outside the
 * audience (already in the directory before the run, or not changed by it); or a contact rule (its
 * invitations of the period were used up, or the same survey reached the address within 12 hours).
 */
export const SkipReason = {
  deleted: 'deleted',
  noEmail: 'no_email',
  optedOut: 'opted_out',
  notNew: 'not_new',
  unchanged: 'unchanged',
  contactFrequency: 'contact_frequency',
  sameSurvey12h: 'same_survey_12h',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];
/** A reminder or thank-you email: claimed just before its SMTP transaction, then sent or refused; in doubt when its sender stopped midway. */
export const FollowUpState = { sending: 'sending', sent: 'sent', failed: 'failed', inDoubt: 'in_doubt' } as const;
export type FollowUpState = (typeof FollowUpState)[keyof typeof FollowUpState];
