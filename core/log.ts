import { pino, type Logger } from 'pino';

export type { Logger };

/** One structured logger per process; credentials are redacted wherever they appear. */
export function createLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['*.password', '*.privateKey', '*.passphrase', '*.secret', '*.token', '*.apiKey', '*.refreshToken', '*.accessToken', '*.clientSecret', '*.securityToken', '*.assertion', 'req.headers.authorization'], censor: '[redacted]' },
  });
}
