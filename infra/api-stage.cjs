// The HTTP API's `$default` stage, extended (serverless.yml `resources.extensions.HttpApiStage`): default route
// throttling from the `apiRateLimit`/`apiBurstLimit` stage params, and a lower limit of its own for the
// unauthenticated `GET /health` (`healthRateLimit`/`healthBurstLimit`), so an anonymous caller can never drive
// more than that many Lambda invocations and table reads a second. Requests over a limit get API Gateway's 429
// without reaching a Lambda. Access logs are `provider.logs.httpApi` (serverless.yml).

async function limit(resolveVariable, name, max) {
  const raw = await resolveVariable(`param:${name}`);
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 1 || value > max || !Number.isInteger(value)) {
    throw new Error(`param ${name} must be an integer from 1 to ${max}, got "${raw}"`);
  }
  return value;
}

module.exports.extension = async ({ resolveVariable }) => {
  // API Gateway's account-level defaults are 10,000 requests/s with a 5,000 burst: the ceilings here.
  const api = { ThrottlingRateLimit: await limit(resolveVariable, 'apiRateLimit', 10_000), ThrottlingBurstLimit: await limit(resolveVariable, 'apiBurstLimit', 5_000) };
  const health = { ThrottlingRateLimit: await limit(resolveVariable, 'healthRateLimit', 10_000), ThrottlingBurstLimit: await limit(resolveVariable, 'healthBurstLimit', 5_000) };
  return {
    Properties: {
      DefaultRouteSettings: api,
      RouteSettings: { 'GET /health': health },
    },
    // A stage's RouteSettings may only name routes that exist already: without this, CloudFormation can create
    // the stage first and fail with "Unable to find Route by key GET /health".
    DependsOn: ['HttpApiRouteGetHealth'],
  };
};
