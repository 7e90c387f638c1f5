import { credentialsFromEnv } from '../ucs/credentials';
import { DEFAULT_LOCAL_TOKEN } from './simulator';
import { localUcsEndpoint, LocalSetupError, type LocalEnv } from './local-config';

const UCS_CREDENTIAL_VARS = [
  'UCS_AUTH_TOKEN', 'UCS_ACCESS_KEY', 'UCS_SECRET_KEY', 'UCS_DOMAIN_ID', 'UCS_SECURITY_TOKEN',
  'UCS_USERNAME', 'UCS_PASSWORD', 'UCS_DOMAIN_NAME', 'UCS_IAM_ENDPOINT', 'UCS_SECRET_NAME',
];

/**
 * The UCS variables the local service runs with: the user's UCS_ENDPOINT and credentials when UCS_ENDPOINT
 * is set (checked now, so a missing or mixed set fails at start with one line), else the embedded
 * simulator's URL and token.
 */
export function localUcsEnv(config: LocalEnv, env: Record<string, string | undefined> = process.env): Record<string, string> {
  if (config.UCS_ENDPOINT) {
    const credentials = credentialsFromEnv(env);
    if (!credentials) {
      throw new LocalSetupError(
        'UCS_ENDPOINT is set but no UCS credentials are: set UCS_AUTH_TOKEN, or UCS_ACCESS_KEY + UCS_SECRET_KEY + UCS_DOMAIN_ID, ' +
          'or UCS_USERNAME + UCS_PASSWORD + UCS_DOMAIN_NAME (see README, "Connecting to UCS")',
      );
    }
    const passed: Record<string, string> = { UCS_ENDPOINT: config.UCS_ENDPOINT };
    for (const name of UCS_CREDENTIAL_VARS) if (env[name]) passed[name] = env[name];
    passed.UCS_SECRET_NAME = ''; // locally never Secrets Manager, whatever the shell says
    return passed;
  }
  // The simulator: its token only, whatever UCS_* credentials the shell happens to have.
  const cleared = Object.fromEntries(UCS_CREDENTIAL_VARS.map((name) => [name, '']));
  return { ...cleared, UCS_ENDPOINT: localUcsEndpoint(config), UCS_AUTH_TOKEN: DEFAULT_LOCAL_TOKEN };
}
