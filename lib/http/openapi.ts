import * as z from 'zod';
import { API_ROUTES, type ApiRoute } from './routes';
import { ErrorBody } from './schemas';

/**
 * The OpenAPI 3.1 document, generated from the zod schemas the handlers parse and answer with (zod 4's own
 * JSON Schema output, which is the 2020-12 dialect OpenAPI 3.1 uses): no second description to keep in sync.
 */

type JsonSchema = Record<string, unknown>;

/** JSON Schema of a zod schema, without the `$schema` marker (OpenAPI sets the dialect once). */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** OpenAPI parameters of one location from an object schema (its properties and `required`). */
function parameters(schema: z.ZodType | undefined, location: 'query' | 'path'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input');
  const properties = (object.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object.required ?? []) as string[]);
  return Object.entries(properties).map(([name, { description, ...property }]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    ...(typeof description === 'string' && { description }),
    schema: property,
  }));
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Bad input: `error.details.parameter` names the parameter',
  404: 'Not found',
  500: 'Internal error (logged; no details)',
  503: 'The table is not reachable',
};

function operation(route: ApiRoute): JsonSchema {
  const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
  const responses: Record<string, JsonSchema> = {};
  for (const [status, { description, schema }] of Object.entries(route.responses)) {
    responses[status] = { description, content: { 'application/json': { schema: jsonSchema(schema, 'output') } } };
  }
  for (const status of [...route.errors, 500]) {
    responses[String(status)] = { description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: errorContent };
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    parameters: [...parameters(route.pathParams, 'path'), ...parameters(route.query, 'query')],
    ...(route.body && {
      requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } },
    }),
    responses,
    security: route.auth === 'none' ? [] : [{ sigv4: [] }],
  };
}

/** Builds the OpenAPI 3.1 document of every route in API_ROUTES. */
export function buildOpenApiDocument(version = '0.1.0'): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of API_ROUTES) {
    (paths[route.path] ??= {})[route.method] = operation(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ucs-job-history',
      version,
      description:
        'History of Huawei Cloud UCS jobs: how long they take and how often they fail. Times are ISO 8601 UTC; ' +
        'statistics windows are [from, to). Errors are {"error": {code, message, details?}}.',
    },
    paths,
    components: {
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
      securitySchemes: {
        // IAM authorization by default; a deployment may configure a JWT authorizer instead (README).
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: 'AWS Signature Version 4 (API Gateway IAM authorization)',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
    },
  };
}

let cached: JsonSchema | undefined;

/** The document, built once per process. */
export function openApiDocument(): JsonSchema {
  cached ??= buildOpenApiDocument();
  return cached;
}
