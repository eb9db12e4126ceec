import { z } from 'zod';
import { ErrorCode, errorCatalogue } from '../../core/errors.ts';
import { errorBodySchema } from '../errors.ts';
import { minimumRole } from '../people/access.ts';
import { adminOperations } from './admin-operations.ts';
import { peopleOperations } from './people-operations.ts';
import type { Answer, Auth, Operation } from './operation.ts';
import { publicOperations } from './public-operations.ts';

/** Every route of the HTTP API, in the order the document lists them. */
export const operations: readonly Operation[] = [...publicOperations, ...peopleOperations, ...adminOperations];

type JsonSchema = Record<string, unknown>;

/**
 * A zod schema as JSON Schema 2020-12, OpenAPI 3.1's dialect: `input` for what a client sends,
 * `output` for what it receives, where dates are ISO 8601 strings once sent as JSON.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    override: (context) => {
      if (context.zodSchema._zod.def.type === 'date') Object.assign(context.jsonSchema, { type: 'string', format: 'date-time' });
    },
  });
  return rest;
}

const security: Record<Auth, Record<string, string[]>[]> = {
  admin: [{ adminKey: [] }, { session: [] }],
  session: [{ session: [] }],
  adminOrEmbedToken: [{ adminKey: [] }, { embedToken: [] }],
  public: [],
};

const errorDescriptions: Record<number, string> = {
  400: 'a parameter or the body is not valid',
  401: 'no valid key or token',
  403: 'not allowed',
  404: 'not found',
  409: 'conflicts with the current state',
  413: 'the body is too large',
  415: 'the body is of a type the route does not read',
  429: 'too many attempts: wait the Retry-After seconds',
  502: 'a server it talks to (an SFTP server, Salesforce) could not be reached or failed',
  504: 'no worker answered in time (a preview is worked out by a worker)',
};

function parameters(operation: Operation): JsonSchema[] {
  const inPath = [...operation.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  if (!operation.query) return inPath;
  const query = jsonSchema(operation.query, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  const inQuery = Object.entries(query.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: query.required?.includes(name) ?? false,
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    schema,
  }));
  return [...inPath, ...inQuery];
}

function answer({ description, schema, contentType }: Answer): JsonSchema {
  if (schema) return { description, content: { 'application/json': { schema: jsonSchema(schema, 'output') } } };
  return contentType ? { description, content: { [contentType]: {} } } : { description };
}

/** The error statuses of an operation: those it names, 401 where a key or session is needed, 403 where a session's role or Origin may refuse it, 429 where failed authentication is counted. */
function errorStatuses(operation: Operation): number[] {
  // 429: an address that failed authentication too often is refused for a while, whatever it sends.
  const auth = { admin: [401, 403, 429], session: [401, 403, 429], adminOrEmbedToken: [401, 429], public: [] }[operation.auth];
  return [...new Set([...auth, ...operation.errors])].sort();
}

function pathItem(operation: Operation): JsonSchema {
  const responses: Record<string, JsonSchema> = Object.fromEntries(Object.entries(operation.answers).map(([status, a]) => [status, answer(a)]));
  for (const status of errorStatuses(operation)) responses[status] = { $ref: `#/components/responses/Error${status}` };
  const signedIn = operation.auth === 'admin' || operation.auth === 'session';
  return {
    tags: [operation.tag],
    summary: operation.summary,
    operationId: `${operation.method} ${operation.path}`,
    security: security[operation.auth],
    // The least role a signed-in user needs; the admin key acts as an admin.
    ...(signedIn ? { 'x-minimum-role': minimumRole(operation.method.toUpperCase(), operation.path.replace(/\{\w+\}/g, 'x')) } : {}),
    parameters: parameters(operation),
    ...(operation.body
      ? { requestBody: { required: true, content: Object.fromEntries(Object.entries(operation.body).map(([type, schema]) => [type, { schema: jsonSchema(schema, 'input') }])) } }
      : {}),
    responses,
  };
}

const catalogue = Object.values(ErrorCode).map((code) => ({ code, status: errorCatalogue[code].status, meaning: errorCatalogue[code].meaning }));

const description = `Bellwether's HTTP API. Errors answer \`{ "error": { "code", "message" } }\`; branch on the code, never on the message.

| code | HTTP status | meaning |
| --- | --- | --- |
${catalogue.map((e) => `| ${e.code} | ${e.status} | ${e.meaning} |`).join('\n')}`;

/** The OpenAPI 3.1 description of the whole HTTP API, built from the routes' own zod schemas. */
export function openApiDocument(): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const operation of operations) (paths[operation.path] ??= {})[operation.method] = pathItem(operation);
  const statuses = [...new Set(operations.flatMap(errorStatuses))].sort();
  return {
    openapi: '3.1.1',
    info: { title: 'Bellwether', version: '0.1.0', description, license: { name: 'MIT', identifier: 'MIT' } },
    tags: [...new Set(operations.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        adminKey: { type: 'http', scheme: 'bearer', description: 'the admin API key (ADMIN_API_KEY, or the one printed at first start); it acts as an admin' },
        session: {
          type: 'apiKey', in: 'cookie', name: 'bw_session',
          description: "a signed-in user's session (POST /api/session), allowed by the role x-minimum-role names; a change must carry this server's Origin header",
        },
        embedToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'an embed token from POST /api/embed-tokens: one widget configuration, read-only' },
      },
      schemas: {
        Error: jsonSchema(errorBodySchema, 'output'),
        ErrorCode: { type: 'string', enum: Object.values(ErrorCode), description: 'see x-error-codes for each status and meaning' },
      },
      responses: Object.fromEntries(
        statuses.map((status) => [`Error${status}`, { description: errorDescriptions[status], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]),
      ),
    },
    'x-error-codes': catalogue,
  };
}
