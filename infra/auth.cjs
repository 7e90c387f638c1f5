// Route authorization, chosen by the `authorizer` stage param: `iam` (default: SigV4-signed requests),
// or `jwt` (an HTTP API JWT authorizer from `jwtIssuer` + `jwtAudience`). serverless-offline does not
// enforce `aws_iam`, so the local service on 127.0.0.1 answers unsigned requests.

async function mode(resolveVariable) {
  const value = String(await resolveVariable('param:authorizer'));
  if (!['iam', 'jwt'].includes(value)) throw new Error(`param authorizer must be iam or jwt, got "${value}"`);
  return value;
}

module.exports.authorizers = async ({ resolveVariable }) => {
  if ((await mode(resolveVariable)) !== 'jwt') return {};
  const issuerUrl = await resolveVariable('param:jwtIssuer');
  const audience = await resolveVariable('param:jwtAudience');
  if (!issuerUrl || !audience) throw new Error('authorizer jwt needs the jwtIssuer and jwtAudience params');
  return {
    jwtAuthorizer: { type: 'jwt', identitySource: '$request.header.Authorization', issuerUrl, audience: String(audience).split(',') },
  };
};

module.exports.route = async ({ resolveVariable }) => {
  const m = await mode(resolveVariable);
  return m === 'jwt' ? { name: 'jwtAuthorizer' } : { type: 'aws_iam' };
};
