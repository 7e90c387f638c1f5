import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/config';
import { cursorCodecProvider, cursorKeySource } from '../../../lib/http/cursor-key';
import { ServiceUnavailable } from '../../../lib/http/errors';

describe('the cursor key', () => {
  it('comes from CURSOR_KEY locally and from the per-stack secret when deployed, never from nothing', () => {
    expect(cursorKeySource({ CURSOR_KEY: 'k'.repeat(43), CURSOR_SECRET_ARN: '[object Object]' })).toEqual({ key: 'k'.repeat(43) });
    expect(cursorKeySource({ CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' })).toEqual({ secretArn: 'arn:aws:secretsmanager:eu-west-1:1:secret:x' });
    expect(() => cursorKeySource({})).toThrow(ConfigError);
    expect(() => cursorKeySource({})).toThrow(/CURSOR_SECRET_ARN/);
    expect(() => cursorKeySource({ CURSOR_KEY: 'short' })).toThrow(/CURSOR_KEY/);
    // The table name is not a key: nothing derives one from it any more.
    expect(() => cursorKeySource({ TABLE_NAME: 'ucs-job-history-prod-history' })).toThrow(ConfigError);
  });

  it('reads the secret once per container, and tries again after a failed read', async () => {
    const reads: string[] = [];
    let fail = true;
    const provider = cursorCodecProvider({ secretArn: 'arn:x' }, (name) => {
      reads.push(name);
      if (fail) return Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
      return Promise.resolve('s'.repeat(64));
    });
    await expect(provider()).rejects.toBeInstanceOf(ServiceUnavailable);
    fail = false;
    const codec = await provider();
    expect(await provider()).toBe(codec);
    expect(reads).toEqual(['arn:x', 'arn:x']);
    const cursor = codec.encode({ position: 'p' }, 'q');
    expect(codec.decode(cursor, 'q')).toEqual({ position: 'p' });
  });

  it('seals cursors that another key cannot open', async () => {
    const one = await cursorCodecProvider({ key: 'a'.repeat(43) })();
    const two = await cursorCodecProvider({ key: 'b'.repeat(43) })();
    expect(() => two.decode(one.encode({ position: 'p' }, 'q'), 'q')).toThrow(/cursor/);
  });
});
