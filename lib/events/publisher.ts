import type { ServiceEvent } from '../jobs/events';
import { logger } from '../observability';
import type { OutboxStore } from '../store/port';

/**
 * Where events go: EventBridge when deployed (./eventbridge.ts), a JSON-lines file locally (./jsonl.ts). A
 * publisher says which events it could not publish; they stay in the outbox for the next run.
 */
export interface EventPublisher {
  publish(events: readonly ServiceEvent[]): Promise<{ failed: ServiceEvent[] }>;
}

/** What one delivery did. */
export interface DeliverySummary {
  published: number;
  /** Events that stay in the outbox (a publisher outage): the next run retries them. */
  pending: number;
}

/** Events taken from the outbox per delivery, besides the ones just written. */
const DRAIN_LIMIT = 100;

/**
 * Publishes `events` (just written to the outbox with their facts) and whatever earlier runs left there, then
 * forgets the published ones. At least once: a crash between publishing and forgetting publishes an event
 * again, under the same id.
 */
export async function deliverEvents(outbox: OutboxStore, publisher: EventPublisher, events: readonly ServiceEvent[]): Promise<DeliverySummary> {
  const byId = new Map(events.map((e) => [e.detail.id, e]));
  for (const e of await outbox.pendingEvents(DRAIN_LIMIT)) if (!byId.has(e.detail.id)) byId.set(e.detail.id, e);
  if (byId.size === 0) return { published: 0, pending: 0 };
  let failed: ServiceEvent[];
  try {
    ({ failed } = await publisher.publish([...byId.values()]));
  } catch (error) {
    logger.warn('event publication failed: the events stay in the outbox for the next run', { events: byId.size, error: error instanceof Error ? error.name : String(error) });
    return { published: 0, pending: byId.size };
  }
  const failedIds = new Set(failed.map((e) => e.detail.id));
  const published = [...byId.keys()].filter((id) => !failedIds.has(id));
  await outbox.settleEvents(published);
  return { published: published.length, pending: failedIds.size };
}
