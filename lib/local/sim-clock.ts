import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimClock } from './simulator';

/**
 * The local simulator's clock: the scenario starts `backfillMs` in the past and runs `speed`× real time
 * until it reaches now, then runs at real time, so the API has history within seconds and simulated
 * times are never in the future. The origin is kept in the data folder, so a restart continues the same
 * timeline (the same jobs with the same times) instead of replaying a shifted copy.
 */
export class CatchUpClock implements SimClock {
  constructor(
    readonly origin: number,
    readonly launchedAt: number,
    readonly speed: number,
  ) {}

  now(): Date {
    const real = Date.now();
    return new Date(Math.min(real, this.origin + (real - this.launchedAt) * this.speed));
  }

  /** The clock of a data folder: reused when the folder has one, else started now and saved there. */
  static forDataDir(dataDir: string | undefined, speed: number, backfillMs = 2 * 3_600_000): CatchUpClock {
    const fresh = { origin: Date.now() - backfillMs, launchedAt: Date.now() };
    if (!dataDir) return new CatchUpClock(fresh.origin, fresh.launchedAt, speed);
    const file = join(dataDir, 'simulator-clock.json');
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { origin: number; launchedAt: number };
      if (Number.isFinite(saved.origin) && Number.isFinite(saved.launchedAt)) return new CatchUpClock(saved.origin, saved.launchedAt, speed);
    } catch {
      // first start in this folder
    }
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(fresh));
    return new CatchUpClock(fresh.origin, fresh.launchedAt, speed);
  }
}
