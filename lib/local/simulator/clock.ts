// The simulated clock. Tests step it by hand; `npm start` and benchmarks accelerate it so hours of UCS
// activity happen in minutes. Only the scenario reads it: auth (X-Sdk-Date skew, IAM token expiry)
// always uses the real wall clock, as the real services do.

/** A source of simulated "now". */
export interface SimClock {
  now(): Date;
}

/** A clock that only moves when told to: `set` and `advance`. */
export class ManualClock implements SimClock {
  private ms: number;
  constructor(start: Date = new Date()) {
    this.ms = start.getTime();
  }
  /** The current simulated time. */
  now(): Date {
    return new Date(this.ms);
  }
  /** Jumps to `date` (backwards too: the scenario is a pure function of time). */
  set(date: Date): void {
    this.ms = date.getTime();
  }
  /** Moves forward by `ms` milliseconds. */
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A clock running `factor` times faster than real time from `start` (60 = 1 simulated minute per real second). */
export class AcceleratedClock implements SimClock {
  private readonly startMs: number;
  private readonly realStart: number;
  constructor(
    start: Date,
    readonly factor: number,
  ) {
    if (!(factor > 0)) throw new RangeError(`AcceleratedClock factor must be > 0, got ${factor}`);
    this.startMs = start.getTime();
    this.realStart = performance.now();
  }
  /** The current simulated time. */
  now(): Date {
    return new Date(Math.floor(this.startMs + (performance.now() - this.realStart) * this.factor));
  }
}
