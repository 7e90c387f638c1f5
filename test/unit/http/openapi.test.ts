import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { handler as openApiHandler } from '../../../functions/openapi';
import { buildOpenApiDocument } from '../../../lib/http/openapi';
import { API_ROUTES, PAGE_ROUTES } from '../../../lib/http/routes';
import { OpenApiDocumentBody } from '../../../lib/http/schemas';
import { apiEvent, invoke } from '../../support/api-event';

interface ServerlessRoute {
  method: string;
  path: string;
  handler: string;
  authorized: boolean;
}

const dashboardPaths = new Set<string>(Object.values(PAGE_ROUTES).map((r) => r.path));

/** Every `httpApi` event of serverless.yml, with its function's handler. */
function serverlessRoutes(): ServerlessRoute[] {
  const config = parse(readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8')) as {
    functions: Record<string, { handler: string; events?: { httpApi?: { method: string; path: string; authorizer?: unknown } | string }[] | string }>;
  };
  return Object.values(config.functions).flatMap((fn) =>
    // `events` may be a ${file(...)} reference (the schedules): those are not HTTP routes.
    (Array.isArray(fn.events) ? fn.events : []).flatMap((event) => {
      const http = event.httpApi;
      // The catch-all (`path: '*'`, the `$default` route) answers 404s, and the dashboard's routes answer HTML:
      // neither is an operation of the JSON API.
      if (http === undefined || typeof http === 'string' || http.path === '*' || dashboardPaths.has(http.path)) return [];
      return [{ method: http.method.toLowerCase(), path: http.path, handler: fn.handler, authorized: http.authorizer !== undefined }];
    }),
  );
}

interface Parameter {
  name: string;
  in: 'query' | 'path';
  schema: Record<string, unknown>;
}
interface Operation {
  parameters: Parameter[];
  responses: Record<string, { content: Record<string, { schema: unknown }> }>;
  security: unknown;
  requestBody?: { content: Record<string, { schema: { required?: string[] } }> };
}
const doc = buildOpenApiDocument() as unknown as {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { required?: string[] }> };
};

describe('the OpenAPI document', () => {
  const routes = serverlessRoutes();

  it('lists every route serverless.yml wires, served by the handler the route table names', () => {
    expect(routes.length).toBeGreaterThanOrEqual(API_ROUTES.length);
    for (const route of routes) {
      const operation = doc.paths[route.path]?.[route.method];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      const spec = API_ROUTES.find((r) => r.method === route.method && r.path === route.path)!;
      expect(spec.handler, `${route.method} ${route.path}`).toBe(route.handler);
      // IAM (or JWT) on every route but /health, as documented.
      expect(spec.auth === 'iam', `${route.method} ${route.path} authorizer`).toBe(route.authorized);
      expect(operation!.security, `${route.method} ${route.path} security`).toEqual(route.authorized ? [{ sigv4: [] }] : []);
    }
  });

  it('documents no route serverless.yml does not serve', () => {
    const wired = new Set(routes.map((r) => `${r.method} ${r.path}`));
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const method of Object.keys(operations)) expect(wired, `${method} ${path}`).toContain(`${method} ${path}`);
    }
  });

  it('is OpenAPI 3.1 with a parameter for every path placeholder and an error response everywhere', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const [path, operations] of Object.entries(doc.paths)) {
      const placeholders = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, operation] of Object.entries(operations)) {
        const pathParams = operation.parameters.filter((p) => p.in === 'path').map((p) => p.name);
        expect(pathParams, `${method} ${path}`).toEqual(placeholders);
        expect(operation.responses['500']!.content['application/json']!.schema).toEqual({ $ref: '#/components/schemas/Error' });
        const success = Object.keys(operation.responses).filter((s) => s.startsWith('2'));
        expect(success.length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    expect(doc.components.schemas.Error!.required).toEqual(['error']);
  });

  it('describes the query parameters the handlers accept, with their enums and defaults', () => {
    const params = Object.fromEntries(doc.paths['/stats/durations']!.get!.parameters.map((p) => [p.name, p]));
    expect(Object.keys(params).sort()).toEqual(['attempt', 'compare', 'from', 'groupBy', 'interval', 'level', 'source', 'status', 'to', 'type']);
    expect(params.attempt!.schema).toMatchObject({ enum: ['all', 'first'], default: 'all' });
    expect(params.groupBy!.schema).toMatchObject({ enum: ['type', 'source', 'fleet', 'cluster', 'day', 'none'], default: 'type' });
    expect(params.status!.schema.enum).toEqual(['succeeded', 'failed', 'timed_out']);
    const limit = doc.paths['/jobs']!.get!.parameters.find((p) => p.name === 'limit');
    expect(limit!.schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 100, default: 20 });
    expect(doc.paths['/targets']!.post!.requestBody!.content['application/json']!.schema.required).toEqual(['kind', 'id']);
  });

  it('is what GET /openapi.json answers', async () => {
    const { status, body } = await invoke(openApiHandler, apiEvent({ method: 'GET', route: '/openapi.json' }));
    expect(status).toBe(200);
    expect(OpenApiDocumentBody.parse(body)).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
