// The collector schedules, one EventBridge rule per shard, each carrying its `{shard, shards}` input, so
// raising the `shards` param spreads a large watch list over parallel invocations with no code change.

async function schedules(resolveVariable, rateParam) {
  const shards = Number(await resolveVariable('param:shards'));
  if (!Number.isInteger(shards) || shards < 1 || shards > 64) {
    throw new Error(`param shards must be an integer from 1 to 64, got "${shards}"`);
  }
  const rate = await resolveVariable(`param:${rateParam}`);
  // `npm start` drives the local schedules itself (every LOCAL_SCHEDULE_SECONDS), so they are off there.
  const enabled = String(await resolveVariable('param:schedulesEnabled')) !== 'false';
  return Array.from({ length: shards }, (_, shard) => ({
    schedule: { rate: [rate], enabled, input: { shard, shards } },
  }));
}

module.exports.collectors = async ({ resolveVariable }) => schedules(resolveVariable, 'collectRate');

/** The discovery schedule runs when discovery is on and schedules are not driven locally. */
module.exports.discoveryEnabled = async ({ resolveVariable }) =>
  String(await resolveVariable('param:discoveryEnabled')) !== 'false' && String(await resolveVariable('param:schedulesEnabled')) !== 'false';
