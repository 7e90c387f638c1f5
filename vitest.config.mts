import { defineConfig } from 'vitest/config';

// Two projects: `unit` never does I/O; `integration` runs against a real DynamoDB Local
// (started once by the global setup) and the in-process UCS simulator over loopback HTTP.
export default defineConfig({
  test: {
    // Tests assert on behaviour, not log lines; the Powertools JSON logs would drown the report.
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', DDB_LOCAL_TELEMETRY: '0' },
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true', DDB_LOCAL_TELEMETRY: '0' },
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // DynamoDB Local is shared; files create their own tables, so they may run in parallel,
          // but the 2-core CI machine does better with few workers.
          maxWorkers: 2,
        },
      },
    ],
  },
});
