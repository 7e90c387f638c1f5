import * as z from 'zod';
import { API_ROUTES, type ApiRoute } from './routes';
import { ErrorBody, GatewayErrorBody } from './schemas';

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

/**
 * Answers API Gateway gives before any function runs, in its own shape `{"message": ...}`: 429 when the stage's
 * throttling limit is hit (every route; /health has its own, lower limit), 403 for a request without a valid
 * SigV4 signature or `execute-api:Invoke` permission, 401 for a missing or invalid bearer token when the JWT
 * authorizer is configured instead.
 */
const GATEWAY_ERRORS: { status: number; description: string; auth: boolean }[] = [
  { status: 401, description: 'API Gateway: missing or invalid bearer token (JWT authorizer, when configured)', auth: true },
  { status: 403, description: 'API Gateway: the request is not signed, or the signer may not invoke the API (IAM)', auth: true },
  { status: 429, description: 'API Gateway: over the stage throttling limit; retry later', auth: false },
];

function operation(route: ApiRoute): JsonSchema {
  const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
  const responses: Record<string, JsonSchema> = {};
  for (const [status, { description, schema }] of Object.entries(route.responses)) {
    responses[status] = { description, content: { 'application/json': { schema: jsonSchema(schema, 'output') } } };
  }
  for (const status of [...route.errors, 500]) {
    responses[String(status)] = { description: ERROR_DESCRIPTIONS[status] ?? 'Error', content: errorContent };
  }
  for (const { status, description, auth } of GATEWAY_ERRORS) {
    if (auth && route.auth === 'none') continue;
    responses[String(status)] = { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/GatewayError' } } } };
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

/** The package's license (package.json `license`): the service is not published under an open licence. */
const LICENSE = { name: 'Proprietary (package.json: UNLICENSED)', identifier: 'LicenseRef-Proprietary' };

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
      license: LICENSE,
    },
    // Relative: the API that served this document, whatever its host (execute-api, a custom domain, or
    // http://127.0.0.1:3000 under `npm start`); the stage is `$default`, so paths start at the root.
    servers: [{ url: '/', description: 'The API that serves this document' }],
    paths,
    components: {
      schemas: { Error: jsonSchema(ErrorBody, 'output'), GatewayError: jsonSchema(GatewayErrorBody, 'output') },
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
