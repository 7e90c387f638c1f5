import * as z from 'zod';
import { createEventBridgeClient } from '../aws/eventbridge';
import { ConfigError, parseEnvironment } from '../config';
import { EventBridgePublisher } from './eventbridge';
import { JsonLinesPublisher } from './jsonl';
import type { EventPublisher } from './publisher';

/** The events' configuration, validated at cold start. */
export const EventsEnv = z.object({
  /** The EventBridge bus (deployed): `default`, or a bus name or ARN the `eventBusName` stage param gives. */
  EVENT_BUS_NAME: z
    .string()
    .max(1600)
    .regex(/^(arn:aws[\w-]*:events:[\w-]+:\d{12}:event-bus\/)?[/.\-_A-Za-z0-9]{1,256}$/, 'EVENT_BUS_NAME must be an EventBridge bus name or ARN')
    .default('default'),
  /** Local only: the JSON-lines file events go to instead of EventBridge. */
  LOCAL_EVENTS_FILE: z.string().min(1).optional(),
  AWS_REGION: z.string().default('local'),
});
export type EventsEnv = z.infer<typeof EventsEnv>;

let publisher: EventPublisher | undefined;

/** The events' configuration of `env`, failing with the names of the bad variables. */
export function parseEventsEnv(env: Record<string, string | undefined> = process.env): EventsEnv {
  const parsed = parseEnvironment(EventsEnv, env);
  if (!parsed.ok) throw new ConfigError(`Invalid configuration: ${parsed.problems}`);
  return parsed.data;
}

/** The event publisher of this process (EventBridge, or the local file), built once from the validated env. */
export function defaultEventPublisher(env: Record<string, string | undefined> = process.env): EventPublisher {
  if (publisher) return publisher;
  const { LOCAL_EVENTS_FILE, EVENT_BUS_NAME, AWS_REGION } = parseEventsEnv(env);
  publisher = LOCAL_EVENTS_FILE ? new JsonLinesPublisher(LOCAL_EVENTS_FILE) : new EventBridgePublisher(createEventBridgeClient(AWS_REGION), EVENT_BUS_NAME);
  return publisher;
}
