import { describe, expect, it } from 'vitest';
import { IncidentSpec } from '../../../lib/local/local-config';
import { ManualClock } from '../../../lib/local/simulator/clock';
import { Scenario } from '../../../lib/local/simulator/scenario';

const START = new Date('2025-11-10T00:00:00.000Z');
const world = (incident?: NonNullable<ConstructorParameters<typeof Scenario>[0]['incidents']>[number]) => {
  const clock = new ManualClock(START);
  return new Scenario({ seed: 5, fleets: 3, policyJobsPerHour: 60, start: START, now: () => clock.now(), ...(incident && { incidents: [incident] }) });
};
const UNTIL = new Date('2025-11-10T12:00:00.000Z');
const FROM_US = Date.parse('2025-11-10T06:00:00Z') * 1000;

describe('the simulator incident switch (LOCAL_SIM_INCIDENT)', () => {
  it('raises the failure rate of one type on one cluster from a given time on, and leaves the rest as it was', () => {
    const plain = world().terminalRuns(UNTIL);
    const steps = plain.filter((r) => r.level === 'step' && r.jobType === 'EnablePolicy');
    const cluster = steps[0]!.clusterId!;
    const hit = world({ type: 'EnablePolicy', clusterId: cluster, fromUs: FROM_US, failureRate: 1 }).terminalRuns(UNTIL);
    const onCluster = (runs: typeof plain, after: boolean) =>
      runs.filter((r) => r.level === 'step' && r.jobType === 'EnablePolicy' && r.clusterId === cluster && r.attempt === 1 && (Date.parse(r.finishedAt) * 1000 >= FROM_US + 3600e6) === after);
    const failing = (runs: typeof plain) => runs.filter((r) => r.status !== 'succeeded').length / runs.length;
    expect(failing(onCluster(plain, true))).toBeLessThan(0.5);
    expect(failing(onCluster(hit, true))).toBe(1);
    // Before the incident, and for other types, the world is the same run for run.
    expect(onCluster(hit, false).filter((r) => Date.parse(r.finishedAt) * 1000 < FROM_US)).toEqual(onCluster(plain, false).filter((r) => Date.parse(r.finishedAt) * 1000 < FROM_US));
    expect(hit.filter((r) => r.jobType !== 'EnablePolicy')).toEqual(plain.filter((r) => r.jobType !== 'EnablePolicy'));
  });

  it('slows that type down', () => {
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const jobs = (s: Scenario) => s.terminalRuns(UNTIL).filter((r) => r.level === 'job' && r.type === 'DisablePolicy' && Date.parse(r.finishedAt) * 1000 > FROM_US + 3600e6);
    const before = median(jobs(world()).map((r) => r.durationMs));
    const after = median(jobs(world({ type: 'DisablePolicy', fromUs: FROM_US, slowdown: 8 })).map((r) => r.durationMs));
    expect(after).toBeGreaterThan(3 * before);
  });

  it('parses the switch, naming LOCAL_SIM_INCIDENT when it is wrong', () => {
    expect(IncidentSpec.parse('type=EnablePolicy,cluster=c-1,from=2025-11-10T06:00:00Z,failureRate=0.8')).toEqual({
      type: 'EnablePolicy',
      clusterId: 'c-1',
      fromUs: FROM_US,
      failureRate: 0.8,
      slowdown: 1,
    });
    for (const bad of ['cluster=c-1', 'type=X,failureRate=2', 'type=X,from=yesterday', 'type=X,colour=red', 'type=X,slowdown=0']) {
      expect(IncidentSpec.safeParse(bad).error?.issues[0]?.message, bad).toMatch(/^LOCAL_SIM_INCIDENT: /);
    }
  });
});
