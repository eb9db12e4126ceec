import type { RequestHandler } from 'express';
import { rateLimit, type AugmentedRequest } from 'express-rate-limit';
import { AppError, ErrorCode } from '../core/errors.ts';

/** At most `limit` requests (of those counted) per client address in each window of `windowMs`. */
export type RateLimit = { limit: number; windowMs: number };

export type RateLimits = {
  /** Requests refused for a wrong admin key or embed token (401); over the limit, the address's requests are answered 429, whatever they bring. */
  authFailures: RateLimit;
  /** Requests to the public survey and opt-out pages, whose token is the only permission. */
  surveyPages: RateLimit;
};

export const defaultRateLimits: RateLimits = {
  authFailures: { limit: 20, windowMs: 5 * 60_000 },
  surveyPages: { limit: 300, windowMs: 5 * 60_000 },
};

/** The 429 answer: the API's error shape, with Retry-After in seconds until the address's window ends. */
function refuse(what: string): Parameters<typeof rateLimit>[0] & object {
  return {
    standardHeaders: false,
    legacyHeaders: false,
    handler: (req, res, next) => {
      const resetTime = (req as AugmentedRequest).rateLimit?.resetTime;
      const seconds = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now()) - Date.now()) / 1000));
      res.set('Retry-After', String(seconds));
      next(new AppError(ErrorCode.RATE_LIMITED, `too many ${what} from this address: try again in ${seconds} seconds`));
    },
  };
}

/**
 * Counts, per client address, the requests refused for a wrong key or token, so neither can be
 * guessed: over the limit, every request of the address is refused until its window ends, one
 * that brings the right key too. Mounted in front of everything that checks a key or token.
 */
export function authFailureLimit({ limit, windowMs }: RateLimit): RequestHandler {
  return rateLimit({
    ...refuse('failed authentications'),
    limit,
    windowMs,
    // express-rate-limit counts a request when it arrives and takes it back when it succeeded.
    skipSuccessfulRequests: true,
    // A request without a key guesses nothing (a browser asks for the outbox password only after one).
    requestWasSuccessful: (req, res) => res.statusCode !== 401 || req.get('authorization') === undefined,
  });
}

/** Every request to the public survey pages counts: a generous limit that recipients never meet, but a token scan does. */
export function surveyPageLimit({ limit, windowMs }: RateLimit): RequestHandler {
  return rateLimit({ ...refuse('survey page requests'), limit, windowMs });
}
