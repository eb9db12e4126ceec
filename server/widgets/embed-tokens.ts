import { hkdfSync } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import type { Config } from '../../core/config.ts';
import { AppError, ErrorCode } from '../../core/errors.ts';
import { resolveSecretKey } from '../../core/secret-box.ts';

/*
 * Embed tokens: HS256 JWTs (https://www.rfc-editor.org/rfc/rfc7519) that let a page show one widget
 * configuration of one directory, optionally only the accounts where one user holds a management
 * role. They expire; nothing is stored, so a token stops working when it expires or the key changes.
 */

export type EmbedScope = { configId: number; directoryId: number; userEmail: string | null };

/** An issued token and when it stops working (ISO 8601). */
export const issuedTokenSchema = z.object({ token: z.string(), expiresAt: z.iso.datetime() });

const issuer = 'bellwether';
const audience = 'strategic-accounts-widget';

/**
 * What a system that mints its own embed tokens needs (the Apex class under widget/salesforce):
 * the HS256 key, base64, and the claims every token carries.
 */
export const signingKeySchema = z.object({
  algorithm: z.literal('HS256'),
  key: z.string().describe('the HMAC-SHA256 key, base64; keep it as secret as the admin key'),
  issuer: z.literal(issuer),
  audience: z.literal(audience),
  claims: z.object({ cfg: z.string(), dir: z.string(), email: z.string(), iat: z.string(), exp: z.string() }).describe('the other claims, each described'),
});

export type EmbedTokens = {
  issue: (scope: EmbedScope, expiresInSeconds: number) => Promise<z.infer<typeof issuedTokenSchema>>;
  verify: (token: string) => Promise<EmbedScope>;
  signingKey: () => z.infer<typeof signingKeySchema>;
};

export function embedTokens(key: Uint8Array): EmbedTokens {
  return {
    async issue(scope, expiresInSeconds) {
      const now = Math.floor(Date.now() / 1000);
      const exp = now + expiresInSeconds;
      const token = await new SignJWT({ cfg: scope.configId, dir: scope.directoryId, ...(scope.userEmail === null ? {} : { email: scope.userEmail }) })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(now)
        .setExpirationTime(exp)
        .sign(key);
      return { token, expiresAt: new Date(exp * 1000).toISOString() };
    },
    signingKey: () => ({
      algorithm: 'HS256',
      key: Buffer.from(key).toString('base64'),
      issuer,
      audience,
      claims: {
        cfg: 'the widget configuration id (a number)',
        dir: "the configuration's directory id (a number)",
        email: 'the user whose accounts the widget shows (omit: every account)',
        iat: 'issued at, seconds since 1970',
        exp: 'expires at, seconds since 1970',
      },
    }),
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer, audience, requiredClaims: ['exp'] });
        const { cfg, dir, email } = payload;
        if (typeof cfg !== 'number' || typeof dir !== 'number' || (email !== undefined && typeof email !== 'string')) throw new errors.JWTClaimValidationFailed('unexpected claims', payload);
        return { configId: cfg, directoryId: dir, userEmail: email ?? null };
      } catch (error) {
        // jose's error classes say why a token failed; the caller only learns expired or not valid.
        if (error instanceof errors.JWTExpired) {
          throw new AppError(ErrorCode.UNAUTHORIZED, `the embed token expired at ${new Date(Number(error.payload.exp) * 1000).toISOString()}: ask for a new one`, { cause: error });
        }
        throw new AppError(ErrorCode.UNAUTHORIZED, 'the embed token is not valid (not signed by this server, changed, or malformed)', { cause: error });
      }
    },
  };
}

/** The signing key: EMBED_TOKEN_KEY, or one derived from the secret key (so no second secret needs keeping). */
export function lazyEmbedTokens(config: Config): () => Promise<EmbedTokens> {
  let tokens: Promise<EmbedTokens> | undefined;
  return () =>
    (tokens ??= (config.embedTokenKey ? Promise.resolve(config.embedTokenKey) : resolveSecretKey(config)).then((secret) =>
      embedTokens(new Uint8Array(hkdfSync('sha256', secret, 'bellwether', 'embed tokens', 32))),
    ));
}
