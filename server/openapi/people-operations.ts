import { z } from 'zod';
import { myAccountsSchema } from '../people/my-accounts.ts';
import { userListItemSchema, userSchema } from '../people/users.ts';
import { invitationInput, userChange } from '../people/user-routes.ts';
import { acceptInput, setupInput, signInInput } from '../people/sign-in-routes.ts';
import type { Operation } from './operation.ts';

const json = (description: string, schema: z.ZodType) => ({ description, schema });
const signedIn = z.object({ user: userSchema });
const noContent = { description: 'done, nothing to show' };
const setCookie = 'signed in: the answer sets the bw_session cookie';

/** Signing in and out, the first admin's setup link, invitations, and users (admins only). */
export const peopleOperations: Operation[] = [
  {
    method: 'post', path: '/api/session', tag: 'People', summary: 'Signs in with an email and a password (failures are rate-limited per email and per address)', auth: 'public',
    body: { 'application/json': signInInput }, answers: { 200: json(setCookie, signedIn) }, errors: [400, 401, 403, 429],
  },
  {
    method: 'get', path: '/api/session/methods', tag: 'People', summary: 'The ways to sign in: the password always, Salesforce when a Connected App is configured', auth: 'public',
    answers: { 200: json('the sign-in methods', z.object({ password: z.literal(true), salesforce: z.boolean() })) }, errors: [],
  },
  {
    method: 'get', path: '/api/session/salesforce', tag: 'People', summary: "Signs in with Salesforce: sends the browser to Salesforce's login page (OpenID Connect, state and PKCE)", auth: 'public',
    answers: { 302: { description: "to Salesforce's authorization page, setting the bw_salesforce_state cookie; to /sign-in?refused=not-configured without a Connected App" } }, errors: [],
  },
  { method: 'get', path: '/api/session', tag: 'People', summary: 'Who is signed in', auth: 'session', answers: { 200: json('the signed-in user', signedIn) }, errors: [] },
  { method: 'delete', path: '/api/session', tag: 'People', summary: 'Signs this browser out', auth: 'session', answers: { 204: noContent }, errors: [] },
  { method: 'delete', path: '/api/sessions', tag: 'People', summary: 'Signs the user out everywhere', auth: 'session', answers: { 204: noContent }, errors: [] },

  {
    method: 'get', path: '/api/me/accounts', tag: 'People', summary: "My accounts: an embed token for <strategic-accounts>, scoped to the signed-in user's accounts", auth: 'session',
    answers: { 200: json('the configuration and its token', myAccountsSchema) }, errors: [404],
  },

  { method: 'get', path: '/api/setup/{token}', tag: 'People', summary: "Whether the first start's setup link still works", auth: 'public', answers: { 200: json('it works', z.object({ valid: z.literal(true) })) }, errors: [404] },
  {
    method: 'post', path: '/api/setup/{token}', tag: 'People', summary: 'Creates the first admin through the setup link, once', auth: 'public',
    body: { 'application/json': setupInput }, answers: { 201: json(setCookie, signedIn) }, errors: [400, 403, 404, 409],
  },
  {
    method: 'get', path: '/api/invitations/{token}', tag: 'People', summary: 'Whom an invitation is for', auth: 'public',
    answers: { 200: json('the invited user', z.object({ email: z.string(), name: z.string() })) }, errors: [404],
  },
  {
    method: 'post', path: '/api/invitations/{token}', tag: 'People', summary: 'Accepts an invitation: chooses a password, once', auth: 'public',
    body: { 'application/json': acceptInput }, answers: { 200: json(setCookie, signedIn) }, errors: [400, 403, 404],
  },

  { method: 'get', path: '/api/users', tag: 'People', summary: 'The users', auth: 'admin', answers: { 200: json('the users', z.object({ items: z.array(userListItemSchema) })) }, errors: [] },
  {
    method: 'post', path: '/api/users', tag: 'People', summary: 'Invites a user by email (the link works once, for 7 days)', auth: 'admin',
    body: { 'application/json': invitationInput }, answers: { 201: json('invited', z.object({ user: userListItemSchema })) }, errors: [400, 409],
  },
  {
    method: 'patch', path: '/api/users/{id}', tag: 'People', summary: "Changes a user's role or name, or deactivates it (ending its sessions)", auth: 'admin',
    body: { 'application/json': userChange }, answers: { 200: json('changed', z.object({ user: userListItemSchema })) }, errors: [400, 404, 409],
  },
];
