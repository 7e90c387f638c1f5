import { checkAlertConfig, runScheduledEvaluation } from '../lib/alerts/runtime';
import { scheduledHandler } from '../lib/observability';

// Validated at cold start: a bad ALERT_WINDOW (or TABLE_NAME, EVENT_BUS_NAME ...) fails the init, naming the variable.
checkAlertConfig();

/** Scheduled (every `alertRate`, default 15 min): opens and closes alerts, and publishes their events. */
export const handler = scheduledHandler(async () => runScheduledEvaluation());
