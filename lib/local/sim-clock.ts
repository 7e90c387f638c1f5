import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimClock } from './simulator';

/**
 * The local simulator's clock: the scenario starts `backfillMs` in the past and runs `speed`× real time
 * until it reaches now, then runs at real time, so the API has history within seconds and simulated
 * times are never in the future. The origin is kept in the data folder, so a restart continues the same
 * timeline (the same jobs with the same times) instead of replaying a shifted copy.
 *
 * `scenarioStart` is where the world began: the simulator plans its scenario from it (fleets, job chains,
 * policy-job arrivals), so it must stay the same across restarts while `origin` moves on. A world is a function
 * of its seed and its original start; a restart continues it.
 */
export class CatchUpClock implements SimClock {
  constructor(
    readonly origin: number,
    readonly launchedAt: number,
    readonly speed: number,
    readonly scenarioStart: number = origin,
  ) {}

  now(): Date {
    const real = Date.now();
    return new Date(Math.min(real, this.origin + (real - this.launchedAt) * this.speed));
  }

  /**
   * The clock of a data folder: it continues the saved timeline, else starts `backfillMs` back, and saves where
   * it stands. A restart re-anchors at the simulated now the saved clock reached (with the speed it ran at), so
   * a different `speed` changes how fast it catches up from there, never jumps the timeline back or forth; the
   * scenario's original start is kept beside it.
   */
  static forDataDir(dataDir: string | undefined, speed: number, backfillMs = 2 * 3_600_000, realNow = Date.now()): CatchUpClock {
    let origin = realNow - backfillMs;
    let scenarioStart = origin;
    if (!dataDir) return new CatchUpClock(origin, realNow, speed, scenarioStart);
    const file = join(dataDir, 'simulator-clock.json');
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { origin?: unknown; launchedAt?: unknown; speed?: unknown; scenarioStart?: unknown };
      if (typeof saved.origin === 'number' && typeof saved.launchedAt === 'number' && Number.isFinite(saved.origin) && Number.isFinite(saved.launchedAt)) {
        // Files from before the speed was saved ran at the configured speed.
        const savedSpeed = typeof saved.speed === 'number' && saved.speed >= 1 ? saved.speed : speed;
        origin = Math.min(realNow, saved.origin + (realNow - saved.launchedAt) * savedSpeed);
        // Files from before the start was saved: the last run planned its world from its own origin.
        scenarioStart = typeof saved.scenarioStart === 'number' && Number.isFinite(saved.scenarioStart) ? saved.scenarioStart : saved.origin;
      }
    } catch {
      // first start in this folder
    }
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify({ origin, launchedAt: realNow, speed, scenarioStart }));
    return new CatchUpClock(origin, realNow, speed, scenarioStart);
  }
}
