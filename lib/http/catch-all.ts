/**
 * The catch-all route (`$default` in API Gateway): any other method and path answers a JSON 404, behind the
 * same auth. Part of the route table (./routes.ts re-exports it), kept apart so that its handler bundles no
 * schema.
 */
export const CATCH_ALL_ROUTE = { operationId: 'notFound', method: '*', path: '*', handler: 'functions/not-found.handler', auth: 'iam' } as const;
