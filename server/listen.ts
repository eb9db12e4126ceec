import type { Server } from 'node:http';
import type { Express } from 'express';

/** Starts serving `app` and resolves once the port is bound (rejects when it cannot be). */
export function listen(app: Express, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, (error?: Error) => (error ? reject(error) : resolve(server)));
  });
}
