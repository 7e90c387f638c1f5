import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** Fabricates an API Gateway HTTP API (payload v2) event, as API Gateway / serverless-offline deliver it. */
export function apiEvent(request: {
  method: string;
  /** The route path with `{name}` placeholders, e.g. `/jobs/{source}/{jobId}`. */
  route: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  body?: string;
}): APIGatewayProxyEventV2 {
  // A lone surrogate has no UTF-8 form: API Gateway would not decode one either, but a test may hand one over.
  const encode = (v: string) => encodeURIComponent(v.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
  const rawPath = request.route.replace(/\{(\w+)\}/g, (_m, name: string) => encode(request.pathParameters?.[name] ?? ''));
  const query = request.query ?? {};
  const rawQueryString = new URLSearchParams(query).toString();
  return {
    version: '2.0',
    routeKey: `${request.method} ${request.route}`,
    rawPath,
    rawQueryString,
    headers: { host: '127.0.0.1:3000', 'content-type': 'application/json' },
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    ...(request.pathParameters && { pathParameters: request.pathParameters }),
    ...(request.body !== undefined && { body: request.body }),
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: { method: request.method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'test-request',
      routeKey: `${request.method} ${request.route}`,
      stage: '$default',
      time: '10/Nov/2025:07:24:03 +0000',
      timeEpoch: 1762759443000,
    },
  };
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** Checks one answer of a route (`path` as in the route table, `method` lower case). */
export type ResponseCheck = (path: string, method: string, status: number, body: unknown) => void;
let checkResponse: ResponseCheck | undefined;

/**
 * From now on in this test file (vitest isolates modules per file), every `invoke` checks its answer with
 * `check`: the API tests validate every response they get against the served OpenAPI document.
 */
export function checkEveryResponse(check: ResponseCheck): void {
  checkResponse = check;
}

/**
 * Invokes a handler and returns its status and parsed JSON body. The body is loosely typed on purpose: tests
 * poke at it, and validate it with the response schemas where its shape is the point.
 */
export async function invoke(
  handler: Handler,
  event: APIGatewayProxyEventV2,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const result = await handler(event, {} as Context);
  const answer = { status: result.statusCode ?? 200, body: JSON.parse(result.body ?? 'null') as unknown, headers: { ...result.headers } };
  const [method = '', path = ''] = event.routeKey.split(' ');
  checkResponse?.(path, method.toLowerCase(), answer.status, answer.body);
  return answer;
}
