import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EVENT_SOURCE, type ServiceEvent } from '../jobs/events';
import { logger } from '../observability';
import type { EventPublisher } from './publisher';

/**
 * Local mode's publisher: one JSON line per event in a file (`<LOCAL_DATA_DIR>/events.jsonl`), in EventBridge's
 * envelope (`source`, `detail-type`, `time`, `detail`), and a log line per event.
 */
export class JsonLinesPublisher implements EventPublisher {
  constructor(private readonly path: string) {}

  /** {@inheritDoc EventPublisher.publish} */
  async publish(events: readonly ServiceEvent[]): Promise<{ failed: ServiceEvent[] }> {
    if (events.length === 0) return { failed: [] };
    await mkdir(dirname(this.path), { recursive: true });
    const lines = events.map((e) => JSON.stringify({ source: EVENT_SOURCE, 'detail-type': e.detailType, time: e.time, detail: e.detail }));
    await appendFile(this.path, `${lines.join('\n')}\n`);
    for (const e of events) logger.info(`event ${e.detailType}`, { eventId: e.detail.id, file: this.path });
    return { failed: [] };
  }
}
