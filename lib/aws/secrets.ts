import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';

/** Reads a secret's text; the default reads Secrets Manager through Powertools (cached for `maxAgeSec`). */
export type SecretReader = (secretName: string, maxAgeSec: number) => Promise<string | undefined>;

let secretsProvider: SecretsProvider | undefined;

/** Secrets Manager through one Powertools provider per container, created on first use (local runs never need it). */
export const readSecretsManager: SecretReader = async (secretName, maxAgeSec) => {
  secretsProvider ??= new SecretsProvider({ clientConfig: { maxAttempts: 3, requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 } } });
  const value = await secretsProvider.get(secretName, { maxAge: maxAgeSec });
  return typeof value === 'string' ? value : value === undefined ? undefined : Buffer.from(value).toString('utf8');
};
