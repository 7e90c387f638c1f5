// Imported first by run.ts: the bench invokes real API handlers (the dashboard scenario), whose Powertools
// metrics would otherwise print an EMF line per request; Metrics reads this once, when lib/observability loads.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
