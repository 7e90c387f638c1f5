import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CATCH_ALL_ROUTE, PAGE_ROUTES, ROUTES } from '../../../lib/http/routes';

// The route table (lib/http/routes.ts) is the one statement of the HTTP contract: serverless.yml must wire
// exactly its routes, each to the function the table names, and each handler must be built from its own route.

interface Wired {
  fn: string;
  method: string;
  path: string;
  handler: string;
  auth: 'iam' | 'none';
}

function serverlessRoutes(): Wired[] {
  const config = parse(readFileSync(new URL('../../../serverless.yml', import.meta.url), 'utf8')) as {
    functions: Record<string, { handler: string; events?: { httpApi?: { method: string; path: string; authorizer?: unknown } }[] | string }>;
  };
  return Object.entries(config.functions).flatMap(([fn, spec]) =>
    (Array.isArray(spec.events) ? spec.events : []).flatMap((event) =>
      event.httpApi
        ? [{ fn, method: event.httpApi.method.toLowerCase(), path: event.httpApi.path, handler: spec.handler, auth: event.httpApi.authorizer === undefined ? ('none' as const) : ('iam' as const) }]
        : [],
    ),
  );
}

const byKey = (a: Wired, b: Wired) => (a.fn < b.fn ? -1 : a.fn > b.fn ? 1 : 0);

describe('the route table', () => {
  it('is exactly what serverless.yml wires: function, method, path, handler and auth', () => {
    const table: Wired[] = [
      ...[...Object.entries(ROUTES), ...Object.entries(PAGE_ROUTES)].map(([fn, r]) => ({ fn, method: r.method, path: r.path, handler: r.handler, auth: r.auth })),
      { fn: CATCH_ALL_ROUTE.operationId, method: CATCH_ALL_ROUTE.method, path: CATCH_ALL_ROUTE.path, handler: CATCH_ALL_ROUTE.handler, auth: CATCH_ALL_ROUTE.auth },
    ];
    expect(serverlessRoutes().sort(byKey)).toEqual(table.sort(byKey));
  });

  it('builds every handler from its own route, so it parses the schemas that route documents', () => {
    for (const [fn, r] of [...Object.entries(ROUTES), ...Object.entries(PAGE_ROUTES), [CATCH_ALL_ROUTE.operationId, CATCH_ALL_ROUTE] as const]) {
      const file = `${r.handler.replace(/\.handler$/, '')}.ts`;
      const source = readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');
      const built = [...source.matchAll(/apiHandler\(\s*((?:PAGE_)?ROUTES\.(\w+)|CATCH_ALL_ROUTE)/g)].map((m) => m[2] ?? CATCH_ALL_ROUTE.operationId);
      expect(built, file).toEqual([fn]);
      // Parsing is the wrapper's: a handler that parsed by itself could pick another schema.
      expect(source, file).not.toMatch(/\bparse(Query|Path|JsonBody)\(/);
    }
  });
});
