import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type ServiceEvent } from '../jobs/events';
import { logger } from '../observability';
import type { EventPublisher } from './publisher';

/** PutEvents takes at most 10 entries. */
const ENTRIES_PER_CALL = 10;

/** Publishes to one EventBridge bus (`default`, or the one the `eventBusName` stage param names). */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  /** {@inheritDoc EventPublisher.publish} */
  async publish(events: readonly ServiceEvent[]): Promise<{ failed: ServiceEvent[] }> {
    const failed: ServiceEvent[] = [];
    for (let i = 0; i < events.length; i += ENTRIES_PER_CALL) {
      const chunk = events.slice(i, i + ENTRIES_PER_CALL);
      try {
        const out = await this.client.send(
          new PutEventsCommand({
            Entries: chunk.map((e) => ({
              EventBusName: this.busName,
              Source: EVENT_SOURCE,
              DetailType: e.detailType,
              Detail: JSON.stringify(e.detail),
              Time: new Date(e.time),
            })),
          }),
        );
        // Entries answer in request order; a failed one carries an ErrorCode. An entry without an EventId (or an
        // answer shorter than the request) is not known to be published: it stays in the outbox.
        chunk.forEach((event, n) => {
          const entry = out.Entries?.[n];
          if (!entry?.EventId || entry.ErrorCode) failed.push(event);
        });
        if ((out.FailedEntryCount ?? 0) > 0) logger.warn('EventBridge refused some events', { failed: out.FailedEntryCount, bus: this.busName });
      } catch (error) {
        logger.warn('EventBridge PutEvents failed', { bus: this.busName, error: error instanceof Error ? error.name : String(error) });
        failed.push(...chunk);
      }
    }
    return { failed };
  }
}
