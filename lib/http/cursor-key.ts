import * as z from 'zod';
import { readSecretsManager, type SecretReader } from '../aws/secrets';
import { ConfigError, parseEnvironment } from '../config';
import { logger } from '../observability';
import { CursorCodec } from './cursor';
import { ServiceUnavailable } from './errors';

/**
 * Where the cursor key comes from: a per-stack secret that CloudFormation generates (`CursorSecret` in
 * serverless.yml, read once per container), or locally a random key that `npm start` keeps in the data dir.
 * Never from anything a caller can see or guess, such as the table name.
 */
export const CursorKeyEnv = z.object({
  /** Local only: the key material itself (`npm start` sets it from `<LOCAL_DATA_DIR>/cursor-key`). */
  CURSOR_KEY: z.string().min(32, 'CURSOR_KEY must be at least 32 characters of random key material').optional(),
  /** Deployed: the Secrets Manager secret holding the key material. */
  CURSOR_SECRET_ARN: z.string().optional(),
});

/** The key source of `env`, validated at cold start: exactly one usable source, or a ConfigError naming the variable. */
export function cursorKeySource(env: Record<string, string | undefined> = process.env): { key: string } | { secretArn: string } {
  const parsed = parseEnvironment(CursorKeyEnv, env);
  if (!parsed.ok) throw new ConfigError(`Invalid configuration: ${parsed.problems}`);
  if (parsed.data.CURSOR_KEY) return { key: parsed.data.CURSOR_KEY };
  const arn = parsed.data.CURSOR_SECRET_ARN;
  if (!arn?.startsWith('arn:')) throw new ConfigError('Invalid configuration: CURSOR_SECRET_ARN: must be the ARN of the cursor key secret (or set CURSOR_KEY locally)');
  return { secretArn: arn };
}

/**
 * The cursor codec of this container: the key is read on first use and cached for the container's life (a
 * rotated secret takes effect with new containers). A failed read is not cached: the request answers 503 and
 * the next one tries again.
 */
export function cursorCodecProvider(source = cursorKeySource(), readSecret: SecretReader = readSecretsManager): () => Promise<CursorCodec> {
  let codec: Promise<CursorCodec> | undefined;
  const load = async () => {
    if ('key' in source) return new CursorCodec(source.key);
    let secret: string | undefined;
    try {
      secret = await readSecret(source.secretArn, Number.MAX_SAFE_INTEGER);
    } catch (error) {
      logger.error('cannot read the cursor key secret', { secretArn: source.secretArn, error: error instanceof Error ? error.name : String(error) });
      throw new ServiceUnavailable('Pagination is unavailable: the cursor key cannot be read');
    }
    if (!secret || secret.length < 32) {
      logger.error('the cursor key secret is empty or too short', { secretArn: source.secretArn });
      throw new ServiceUnavailable('Pagination is unavailable: the cursor key is not set up');
    }
    return new CursorCodec(secret);
  };
  return () => {
    codec ??= load().catch((error: unknown) => {
      codec = undefined;
      throw error;
    });
    return codec;
  };
}
