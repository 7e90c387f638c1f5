import { describe, expect, it } from 'vitest';
import { UcsClient, UcsClientConfig } from '../../lib/ucs/client';
import { InvalidIdError } from '../../lib/ucs/errors';
import { isUcsId, printableId, ucsIdProblem } from '../../lib/ucs/ids';

// What a fleet id and a policy job id may be (UUIDs or Kubernetes names), and the client's refusal to build a
// UCS path from anything else, whoever asks.

const BAD = ['', 'fz-\ud800', 'a\u0000b', 'evil\u202egpj', '..', '.', 'a..b', 'a/b', 'Fleet_1', 'UPPER', '-f', 'f-', 'f .x', '%2e%2e', 'a'.repeat(254)];
const GOOD = ['70acf480-2fa4-11ee-ad1d-0255ac1001c4', 'C7678551-1F7E-4699-9EA1-3BAA2D32F552', 'fleet-1', 'job-001', 'my.fleet.v2', 'a', 'a'.repeat(253)];

describe('UCS ids', () => {
  it.each(GOOD)('accepts %j', (id) => expect(ucsIdProblem(id)).toBeUndefined());
  it.each(BAD.map((id) => [printableId(id), id]))('refuses %s', (_label, id) => {
    expect(isUcsId(id)).toBe(false);
    expect(ucsIdProblem(id)).toMatch(/UUID or a Kubernetes name|empty/);
  });

  it('prints any id as one line of plain ASCII', () => {
    for (const id of BAD) expect(printableId(id)).toMatch(/^"[\x20-\x7e]*"$/);
    expect(printableId('evil\u202egpj')).toBe('"evil\\u202egpj"');
  });

  it('refuses to build a UCS path from a bad id: no request is sent, whatever the caller', async () => {
    const sent: string[] = [];
    const client = new UcsClient(UcsClientConfig.parse({ baseUrl: 'http://127.0.0.1:9' }), {
      credentials: () => Promise.resolve({ mode: 'token', token: 't' }),
      fetch: (input) => {
        sent.push(input instanceof Request ? input.url : typeof input === 'string' ? input : input.href);
        return Promise.reject(new Error('no request should be sent'));
      },
    });
    for (const id of BAD) {
      await expect(client.getFederationProgress(id)).rejects.toBeInstanceOf(InvalidIdError);
      await expect(client.getPolicyJob(id)).rejects.toThrow(/refused to call UCS for policy job id/);
    }
    expect(sent).toEqual([]);
  });
});
