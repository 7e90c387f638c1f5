import { describe, expect, it } from 'vitest';
import { mapConcurrently } from '../../lib/concurrency';

describe('mapConcurrently', () => {
  it('keeps input order and never has more than `limit` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapConcurrently([5, 1, 4, 2, 3, 0, 6], 3, async (ms) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight -= 1;
      return ms * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(most).toBe(3);
  });

  it('maps nothing to nothing, and passes a failure on', async () => {
    expect(await mapConcurrently([], 4, () => Promise.resolve(1))).toEqual([]);
    await expect(mapConcurrently([1, 2], 2, (n) => (n === 2 ? Promise.reject(new Error('no 2')) : Promise.resolve(n)))).rejects.toThrow('no 2');
  });
});
