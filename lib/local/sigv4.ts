import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, HttpRequest } from '@smithy/types';

/**
 * SigV4 signing of API Gateway (`execute-api`) requests for `npm run dashboard`, and the check its test's stand-in
 * server makes. SHA-256 comes from node:crypto: the SDK's own hash package would be one more dependency for four lines.
 */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as ArrayBuffer));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : Buffer.from(ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data)));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

/** A signer for API Gateway in `region` with `credentials` (a provider is asked on every request). */
export function executeApiSigner(region: string, credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider): SignatureV4 {
  return new SignatureV4({ service: 'execute-api', region, credentials, sha256: NodeSha256, uriEscapePath: true, applyChecksum: false });
}

/** The request `signer` would send for a GET of `url`. */
export async function signedGet(signer: SignatureV4, url: URL, headers: Record<string, string> = {}, signingDate?: Date): Promise<HttpRequest> {
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  const request: HttpRequest = {
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port && { port: Number(url.port) }),
    path: decodeURIComponent(url.pathname),
    query,
    headers: { ...headers, host: url.host },
  };
  return signer.sign(request, signingDate ? { signingDate } : {});
}
