import type { z } from 'zod';

/**
 * Who may call a route: the admin key (Bearer) or a signed-in user whose role the route allows, only
 * a signed-in user, the admin key or an embed token, anyone (its path or its one-time state is the
 * permission).
 */
export type Auth = 'admin' | 'session' | 'adminOrEmbedToken' | 'public';

/** One answer of a route: JSON described by `schema`, or another media type (HTML, CSV, a stream). */
export type Answer = { description: string; schema?: z.ZodType; contentType?: string };

/**
 * One route of the HTTP API, declared once: the OpenAPI document is built from these, and a test
 * checks them against the routes Express mounts and the answers they give.
 */
export type Operation = {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI's template (`/api/runs/{id}`); its `{names}` are the path parameters. */
  path: string;
  tag: string;
  summary: string;
  auth: Auth;
  /** The query parameters as the route parses them. */
  query?: z.ZodObject;
  /** The body the route reads, by media type. */
  body?: Record<string, z.ZodType>;
  /** Answers other than errors, by status. */
  answers: Record<number, Answer>;
  /** Statuses of the `{ error: { code, message } }` answers it may give (401 is added for a key). */
  errors: readonly number[];
};
