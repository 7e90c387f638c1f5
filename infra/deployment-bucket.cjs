// The S3 bucket `serverless deploy` uploads the function zips and templates to (`provider.deploymentBucket`).
// Default (the `deploymentBucket` stage param empty): a bucket the stack creates, with all four public access
// settings blocked (AWS Control Tower CT.S3.PR.1) and SSE-S3; serverless adds its TLS-only bucket policy
// (CT.S3.PR.8). Or name an existing bucket you manage (a landing zone's, with its own logging, retention and
// guard rules): the stack then creates no bucket at all and only uploads there, encrypted (README, "Deploying").

module.exports.bucket = async ({ resolveVariable }) => {
  const name = String((await resolveVariable('param:deploymentBucket')) ?? '').trim();
  if (name) {
    // S3's own rule for bucket names, checked here so a typo fails the package, not the deploy.
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) || name.includes('..')) {
      throw new Error(`param deploymentBucket must be an S3 bucket name (3-63 of a-z, 0-9, '.', '-'), got "${name}"`);
    }
    return { name, serverSideEncryption: 'AES256' };
  }
  return { blockPublicAccess: true, serverSideEncryption: 'AES256' };
};
