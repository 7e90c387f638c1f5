/* global process */
// The API's base URL for the alerts' dashboard links (API_URL of evaluateAlerts): the HTTP API's own endpoint
// when deployed, the serverless-offline address on the local stage (where CloudFormation functions do not resolve).
module.exports.url = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  if (stage === 'local') return `http://127.0.0.1:${process.env.PORT || 3000}`;
  return { 'Fn::Sub': 'https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}' };
};
