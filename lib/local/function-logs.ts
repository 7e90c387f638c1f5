/**
 * The Lambdas' own log lines in `npm start`'s output. serverless-offline runs the functions in its process and
 * passes their stdout on; the Powertools logger writes one JSON object per line, with the function's name once
 * the Lambda context is injected. Which lines exist at all is POWERTOOLS_LOG_LEVEL's business (WARN locally).
 */

/** Fields every Powertools line carries: left out of the short form, which keeps the line's own data. */
const STANDARD_FIELDS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'cold_start',
  'function_name',
  'function_arn',
  'function_memory_size',
  'function_request_id',
  'function_version',
  'xray_trace_id',
]);

/**
 * The line to print for one line of serverless-offline's output: a function's log line becomes
 * `[<function>] <LEVEL> <message> <the other fields as JSON>`, prefixed with the function's short name (its
 * deployed name without `<prefix>`); anything else (serverless-offline's own chatter) gives undefined.
 */
export function functionLogLine(line: string, prefix: string): string | undefined {
  const text = line.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof entry.level !== 'string' || typeof entry.message !== 'string') return undefined;
  const name = typeof entry.function_name === 'string' ? entry.function_name.replace(prefix, '') : 'lambda';
  const rest = Object.fromEntries(Object.entries(entry).filter(([key]) => !STANDARD_FIELDS.has(key)));
  const details = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `[${name}] ${entry.level} ${entry.message}${details}`;
}

/** Splits a stream into whole lines: `push` takes chunks and calls `onLine` per complete line. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: string): void; flush(): void } {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk;
      let at: number;
      while ((at = pending.indexOf('\n')) >= 0) {
        onLine(pending.slice(0, at));
        pending = pending.slice(at + 1);
      }
    },
    flush() {
      if (pending) onLine(pending);
      pending = '';
    },
  };
}
