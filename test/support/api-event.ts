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
  const rawPath = request.route.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(request.pathParameters?.[name] ?? ''));
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
  return { status: result.statusCode ?? 200, body: JSON.parse(result.body ?? 'null'), headers: { ...result.headers } };
}
