import type { TargetKind } from '../jobs/target';

/** FNV-1a, 32 bit: tiny, stable across runtimes, and spreads ids evenly. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The shard a target belongs to: hash(kind:id) mod shards. */
export function shardOf(kind: TargetKind, id: string, shards: number): number {
  return fnv1a(`${kind}:${id}`) % shards;
}
