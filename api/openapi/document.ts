import { z } from 'zod';
import type { AppConfig } from '../../config/index.js';
import { ROUTES, type RouteDoc } from './registry.js';

type JsonObject = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as JsonObject;
  delete json.$schema;
  return json;
}

/** `/transactions/:id` → `/transactions/{id}` */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function operation(route: RouteDoc): JsonObject {
  const parameters: JsonObject[] = [];
  for (const m of route.path.matchAll(/:([A-Za-z0-9_]+)/g)) {
    parameters.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
  }
  if (route.query) {
    const q = schemaOf(route.query, 'input') as {
      properties?: Record<string, JsonObject>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      const { description, ...rest } = schema;
      parameters.push({
        name,
        in: 'query',
        required: q.required?.includes(name) ?? false,
        schema: rest,
        ...(typeof description === 'string' ? { description } : {}),
      });
    }
  }
  const responses: JsonObject = {};
  for (const [status, r] of Object.entries(route.responses)) {
    const contentType = r.contentType ?? 'application/json';
    responses[status] = {
      description: r.description,
      ...(r.schema || contentType !== 'application/json'
        ? {
            content: {
              [contentType]: { schema: r.schema ? schemaOf(r.schema, 'output') : { type: 'string' } },
            },
          }
        : {}),
    };
  }
  return {
    tags: [route.tag],
    summary: route.summary,
    operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
    ...(route.scope ? { description: `Requires the admin scope \`${route.scope}\`.` } : {}),
    ...(route.security === 'sep10' ? { security: [{ sep10: [] }] } : {}),
    ...(route.security === 'admin' ? { security: [{ adminKey: [] }] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { [route.bodyType ?? 'application/json']: { schema: schemaOf(route.body, 'input') } },
          },
        }
      : {}),
    responses,
  };
}

export interface ServedRoute {
  method: string;
  path: string;
}

/**
 * The OpenAPI 3.0 document: every route of ROUTES with its zod schemas, plus any route the app serves that ROUTES
 * lacks (so nothing the server answers is missing from the document, even before someone describes it).
 */
export function buildOpenApiDocument(config: AppConfig, served: ServedRoute[] = []): JsonObject {
  const paths: Record<string, JsonObject> = {};
  const add = (path: string, method: string, op: JsonObject) => {
    const key = toOpenApiPath(path);
    paths[key] ??= {};
    paths[key][method] ??= op;
  };
  for (const route of ROUTES) add(route.path, route.method, operation(route));
  for (const r of served) {
    const method = r.method.toLowerCase();
    if (!['get', 'post', 'put', 'delete', 'patch'].includes(method) || r.path.includes('*')) continue;
    add(
      r.path,
      method,
      operation({
        method: method as RouteDoc['method'],
        path: r.path,
        tag: 'undocumented',
        summary: `${r.method} ${r.path}`,
        responses: { 200: { description: 'see the SEP' } },
      }),
    );
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Stellar anchor (SEP-1, 10, 12, 24) and admin API',
      version: '0.1.0',
      description:
        'Public SEP endpoints and the operator /admin surface. Errors are `{"error": "..."}`. Admin requests need an API key (never a SEP-10 token); every admin request is audited.',
    },
    servers: [{ url: config.api.publicUrl }],
    tags: [
      { name: 'SEP-1' },
      { name: 'SEP-10' },
      { name: 'SEP-12' },
      { name: 'SEP-24' },
      { name: 'SEP-24 hosted pages' },
      { name: 'admin' },
      { name: 'operations' },
      { name: 'webhooks' },
      { name: 'undocumented' },
    ],
    components: {
      securitySchemes: {
        sep10: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'SEP-10 token from POST /auth',
        },
        adminKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'admin API key from ADMIN_API_KEYS (also accepted as X-Admin-Key)',
        },
      },
    },
    paths,
  };
}
