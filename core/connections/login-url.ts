import { z } from 'zod';

/** Loopback hosts may be reached over plain http: nothing leaves the machine (the Salesforce stand-in in tests). */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
/** Credentials go to this server, so only over https. */
export const loginUrl = z
  .url({ protocol: /^https?$/ })
  .refine((u) => { const url = new URL(u); return url.protocol === 'https:' || isLoopback(url.hostname); }, { message: 'must use https (plain http only on a loopback address)' })
  .transform((u) => u.replace(/\/+$/, ''))
  .default('https://login.salesforce.com');
