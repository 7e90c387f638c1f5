import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** An EventBridge client with timeouts and bounded retries (one per container, STYLE.md #4). */
export function createEventBridgeClient(region: string): EventBridgeClient {
  return new EventBridgeClient({
    region,
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2000, requestTimeout: 5000 }),
  });
}
