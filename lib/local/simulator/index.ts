// The local UCS simulator (local-only: never imported by functions/). See README.md.
export { startUcsSimulator, DEFAULT_SEEDED_START, UCS_ERROR, type SimulatorOptions, type RunningSimulator } from './server';
export { ManualClock, AcceleratedClock, type SimClock } from './clock';
export { Scenario, policyKindOf, type GroundTruthRun, type Incident, type PolicyJobSpec, type ScenarioOptions, type TerminalOutcome } from './scenario';
export { UNKNOWN_PHASE, decideFault, type FaultConfig, type FaultDecision, type DriftVariant } from './faults';
export { DEFAULT_LOCAL_TOKEN, DEFAULT_LOCAL_AKSK, DEFAULT_LOCAL_IAM_USER, DEFAULT_AUTH, MAX_CLOCK_SKEW_MS, type AuthConfig } from './auth';
export { GO_ZERO_TIME, goTimeString, rfc3339Cst, isoMicros } from './time-format';
