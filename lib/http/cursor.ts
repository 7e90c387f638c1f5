import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import * as z from 'zod';
import { BadRequest } from './errors';

/**
 * Opaque pagination cursors for `GET /jobs`: the store's position and a hash of the query's filters, sealed with
 * AES-256-GCM. Authenticated encryption gives what an HMAC gives (a changed byte is rejected) and also keeps
 * the table's key format out of responses. A cursor only fits the query it came from: other filters → 400.
 */

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const CursorContent = z.object({
  v: z.literal(VERSION),
  /** The store's `nextKey`. */
  k: z.record(z.string(), z.string()),
  /** Hash of the filters the page was listed with. */
  q: z.string(),
});

/** A stable hash of a query's filters (undefined fields ignored, key order irrelevant). */
export function queryFingerprint(filters: Record<string, string | number | undefined>): string {
  const canonical = Object.entries(filters)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 22);
}

/** Seals and opens cursors with a key derived from `secret` (every instance of one deployment must share it). */
export class CursorCodec {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHash('sha256').update(`ucs-job-history/cursor/v${VERSION}\0${secret}`).digest();
  }

  /** The opaque cursor for the store position `storeKey` of the query with fingerprint `query`. */
  encode(storeKey: Record<string, string>, query: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const plain = Buffer.from(JSON.stringify({ v: VERSION, k: storeKey, q: query }), 'utf8');
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
  }

  /** The store position in `cursor`; a BadRequest naming `cursor` if it was altered or belongs to another query. */
  decode(cursor: string, query: string): Record<string, string> {
    const raw = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url') : Buffer.alloc(0);
    if (raw.length <= IV_BYTES + TAG_BYTES) throw new BadRequest('cursor', 'is not a cursor this API issued');
    let plain: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new BadRequest('cursor', 'is not a cursor this API issued (altered or expired)');
    }
    let content: z.infer<typeof CursorContent>;
    try {
      content = CursorContent.parse(JSON.parse(plain));
    } catch {
      throw new BadRequest('cursor', 'is not a cursor this API issued');
    }
    if (content.q !== query) throw new BadRequest('cursor', 'belongs to a query with other filters');
    return content.k;
  }
}
