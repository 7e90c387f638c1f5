import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as z from 'zod';
import { JobSource, TerminalStatus } from '../jobs/record';
import { emptyAggregate, failureFigures, roundMicros, type DurationFigures } from '../stats/aggregate';
import { StatsGroupBy, StatsLevel, type DurationStatsBody, type FailureRateStatsBody } from '../stats/results';
import { dayBucketOf, defaultedWindow, formatMicros, parseInstantMicros } from '../stats/window';
import { ItemKind, RunItem } from '../store/items';
import { typeKey } from '../store/rollups';
import {
  EXPORT_ROOT,
  FILES_CHECKSUM_FILE,
  FILES_FILE,
  ManifestFileEntry,
  ManifestSummary,
  SUMMARY_CHECKSUM_FILE,
  SUMMARY_FILE,
  md5,
} from './export-format';

/**
 * `npm run analyze`: the durations and failure rates of a DynamoDB export folder (from `export:local`, or
 * `aws s3 sync` of the export bucket), computed like the API but exact: it reads every terminal run.
 *
 * Memory: data files are streamed line by line; what is kept is one number per terminal run in the window and
 * matching the filters (its duration, for exact percentiles) plus a few counters per group. Everything the
 * export says is checked (manifests, checksums, counts, every line); the first problem stops the run with an
 * ExportFormatError naming the file and line.
 */

/** A problem with the export's files: names the file (and line) so the user can look at it. */
export class ExportFormatError extends Error {
  override name = 'ExportFormatError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${problem}`);
  }
}

/** A bad analyzer option (the analyzer's 400). */
export class AnalyzeOptionError extends Error {
  override name = 'AnalyzeOptionError';
}

/** The analyzer's query: the API's stats parameters, plus which export to read. */
export const AnalyzeOptions = z.object({
  level: StatsLevel.default('job'),
  groupBy: StatsGroupBy.default('type'),
  from: z.string().optional(),
  to: z.string().optional(),
  source: JobSource.optional(),
  type: z.string().optional(),
  /** Durations only, as in the API. */
  status: TerminalStatus.optional(),
  /** An export id to read instead of the newest one. */
  exportId: z.string().optional(),
});
export type AnalyzeOptions = z.input<typeof AnalyzeOptions>;

/** What `analyze --json` prints: the two API bodies. */
export interface AnalysisResult {
  durations: DurationStatsBody;
  failureRates: FailureRateStatsBody;
}

/** One export found in the folder. */
export interface FoundExport {
  exportId: string;
  exportDir: string;
  summaryPath: string;
  summary: ManifestSummary;
}

const MAX_SEARCH_DEPTH = 8;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** The folders named `AWSDynamoDB/<exportId>` under `dir` (or `dir` itself when it is one). */
async function exportDirs(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (at: string, depth: number) => {
    const entries = await readdir(at, { withFileTypes: true });
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const path = join(at, entry.name);
      if (entry.name === EXPORT_ROOT) {
        for (const id of await readdir(path, { withFileTypes: true })) if (id.isDirectory()) found.push(join(path, id.name));
      } else if (depth < MAX_SEARCH_DEPTH) await walk(path, depth + 1);
    }
  };
  const root = resolve(dir);
  if (!(await exists(root))) throw new ExportFormatError(root, undefined, 'no such folder');
  if ((await exists(join(root, SUMMARY_FILE))) || (await exists(join(root, 'data')))) return [root];
  await walk(root, 0);
  return found;
}

async function readChecked(path: string, checksumFile: string): Promise<string> {
  if (!(await exists(path))) throw new ExportFormatError(path, undefined, 'manifest is missing');
  const text = await readFile(path, 'utf8');
  // AWS writes the hex MD5 of each manifest beside it; `aws s3 sync` brings it along.
  if (await exists(checksumFile)) {
    const expected = (await readFile(checksumFile, 'utf8')).trim().toLowerCase();
    const actual = md5(text).hex;
    if (expected !== actual) {
      throw new ExportFormatError(path, undefined, `checksum mismatch: ${checksumFile} says ${expected}, the file's MD5 is ${actual}`);
    }
  }
  return text;
}

function parseJson(text: string, file: string, line: number | undefined, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ExportFormatError(file, line, `is not JSON (${what}): ${(error as Error).message}`);
  }
}

function issuesOf(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Reads and validates the summary manifest of one export folder. */
async function readSummary(exportDir: string): Promise<FoundExport> {
  const summaryPath = join(exportDir, SUMMARY_FILE);
  const text = await readChecked(summaryPath, join(exportDir, SUMMARY_CHECKSUM_FILE));
  const parsed = ManifestSummary.safeParse(parseJson(text, summaryPath, undefined, 'manifest summary'));
  if (!parsed.success) throw new ExportFormatError(summaryPath, undefined, `not a DynamoDB export summary: ${issuesOf(parsed.error)}`);
  return { exportId: exportDir.split(/[\\/]/).at(-1) ?? '', exportDir, summaryPath, summary: parsed.data };
}

/**
 * The export to analyze: `exportId` if given, else the newest (by exportTime, then startTime). An export folder
 * with data but no summary is an error, not skipped; one with only `_started` is still running and ignored.
 */
export async function findExport(dir: string, exportId?: string): Promise<FoundExport> {
  const found: FoundExport[] = [];
  for (const exportDir of await exportDirs(dir)) {
    if (!(await exists(join(exportDir, SUMMARY_FILE)))) {
      if ((await exists(join(exportDir, 'data'))) || (await exists(join(exportDir, FILES_FILE)))) {
        throw new ExportFormatError(join(exportDir, SUMMARY_FILE), undefined, 'manifest is missing');
      }
      continue;
    }
    found.push(await readSummary(exportDir));
  }
  if (exportId !== undefined) {
    const chosen = found.find((e) => e.exportId === exportId);
    if (!chosen) throw new ExportFormatError(resolve(dir), undefined, `no export ${exportId} (found: ${found.map((e) => e.exportId).join(', ') || 'none'})`);
    return chosen;
  }
  const newest = found.sort((a, b) => `${b.summary.exportTime}|${b.summary.startTime}`.localeCompare(`${a.summary.exportTime}|${a.summary.startTime}`))[0];
  if (!newest) throw new ExportFormatError(resolve(dir), undefined, `no ${EXPORT_ROOT}/<exportId>/${SUMMARY_FILE} found: is this an export folder?`);
  return newest;
}

/** The local path of an S3 key of this export (`…/AWSDynamoDB/<exportId>/<rest>`), whatever the prefix. */
function localPathOf(found: FoundExport, key: string, file: string, line: number | undefined): string {
  const marker = `${EXPORT_ROOT}/${found.exportId}/`;
  const at = key.indexOf(marker);
  if (at < 0) throw new ExportFormatError(file, line, `key ${key} is not inside export ${found.exportId}`);
  const rest = key.slice(at + marker.length);
  const path = resolve(found.exportDir, rest);
  if (relative(found.exportDir, path).startsWith('..')) throw new ExportFormatError(file, line, `key ${key} leaves the export folder`);
  return path;
}

/** The data files of an export, checked against both manifests. */
async function readDataManifest(found: FoundExport): Promise<{ path: string; entry: ManifestFileEntry; line: number }[]> {
  const { summary, summaryPath } = found;
  if (summary.outputFormat !== 'DYNAMODB_JSON') {
    throw new ExportFormatError(summaryPath, undefined, `outputFormat ${summary.outputFormat} is not supported: export with DYNAMODB_JSON`);
  }
  if (summary.exportType === 'INCREMENTAL_EXPORT') {
    throw new ExportFormatError(
      summaryPath,
      undefined,
      `export ${found.exportId} is an INCREMENTAL_EXPORT (changed items only, not the whole history): analyze a full export (--export <id>)`,
    );
  }
  const filesPath = localPathOf(found, summary.manifestFilesS3Key, summaryPath, undefined);
  const text = await readChecked(filesPath, join(found.exportDir, FILES_CHECKSUM_FILE));
  const files: { path: string; entry: ManifestFileEntry; line: number }[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, index) => {
    const line = index + 1;
    const parsed = ManifestFileEntry.safeParse(parseJson(raw, filesPath, line, 'manifest-files entry'));
    if (!parsed.success) throw new ExportFormatError(filesPath, line, `not a manifest-files entry: ${issuesOf(parsed.error)}`);
    files.push({ path: localPathOf(found, parsed.data.dataFileS3Key, filesPath, line), entry: parsed.data, line });
  });
  const listed = files.reduce((n, f) => n + f.entry.itemCount, 0);
  if (listed !== summary.itemCount) {
    throw new ExportFormatError(summaryPath, undefined, `count mismatch: itemCount is ${summary.itemCount}, ${FILES_FILE} lists ${listed} items`);
  }
  for (const f of files) {
    if (!(await exists(f.path))) throw new ExportFormatError(f.path, undefined, `data file listed in ${FILES_FILE} line ${f.line} is missing`);
  }
  const dataDir = join(found.exportDir, 'data');
  if (await exists(dataDir)) {
    const listedPaths = new Set(files.map((f) => f.path));
    for (const name of await readdir(dataDir)) {
      const path = join(dataDir, name);
      if (!listedPaths.has(path)) throw new ExportFormatError(path, undefined, `data file is not listed in ${FILES_FILE}`);
    }
  }
  return files;
}

/** The export item of one data line: `{"Item": {...DynamoDB JSON...}}`, as a plain object. */
function itemOfLine(text: string, file: string, line: number): Record<string, unknown> {
  if (text.trim() === '') throw new ExportFormatError(file, line, 'empty line: not an export item');
  const value = parseJson(text, file, line, 'expected {"Item": {...}}');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ExportFormatError(file, line, 'not an export item: expected {"Item": {...}}');
  }
  const record = value as Record<string, unknown>;
  if ('NewImage' in record || 'Keys' in record) {
    throw new ExportFormatError(file, line, 'an incremental-export line (Keys/NewImage): analyze a full export');
  }
  const item = record.Item;
  if (typeof item !== 'object' || item === null || Array.isArray(item) || Object.keys(record).length !== 1) {
    throw new ExportFormatError(file, line, 'not an export item: expected {"Item": {...}}');
  }
  try {
    return unmarshall(item as Record<string, AttributeValue>);
  } catch (error) {
    throw new ExportFormatError(file, line, `not DynamoDB JSON: ${(error as Error).message}`);
  }
}

/** Per group: counts by status (failure rates) and the durations of runs of the durations' statuses. */
interface GroupTally {
  succeeded: number;
  failed: number;
  timed_out: number;
  /** Runs counted by `/stats/durations` (of `status`, if given), with or without a duration. */
  durationRuns: number;
  durations: number[];
}

interface ResolvedQuery {
  level: StatsLevel;
  groupBy: StatsGroupBy;
  from: number;
  to: number;
  source?: JobSource;
  type?: string;
  status?: TerminalStatus;
}

/** Resolves options like the API does: `to` defaults to now rounded up to the hour, `from` to `to` − 7 days. */
export function resolveAnalyzeQuery(options: AnalyzeOptions, nowMicros = Date.now() * 1000): ResolvedQuery {
  const parsed = AnalyzeOptions.safeParse(options);
  if (!parsed.success) throw new AnalyzeOptionError(issuesOf(parsed.error));
  const o = parsed.data;
  if (o.groupBy === 'cluster' && o.level !== 'step') throw new AnalyzeOptionError('--groupBy cluster needs --level step');
  const { from, to } = defaultedWindow(o, nowMicros);
  if (to === undefined) throw new AnalyzeOptionError(`--to: "${o.to}" is not a valid ISO 8601 time`);
  if (from === undefined) throw new AnalyzeOptionError(`--from: "${o.from}" is not a valid ISO 8601 time`);
  if (from >= to) throw new AnalyzeOptionError(`--from must be before --to (${formatMicros(from)} >= ${formatMicros(to)})`);
  return { level: o.level, groupBy: o.groupBy, from, to, source: o.source, type: o.type, status: o.status };
}

/** The group of a run, as the API forms it; undefined when the run has none (no fleet, no cluster). */
function groupKeyOf(run: RunItem, groupBy: StatsGroupBy, at: number): string | undefined {
  switch (groupBy) {
    case 'none':
      return 'all';
    case 'type':
      return typeKey(run);
    case 'source':
      return run.source;
    case 'fleet':
      return run.fleetId || undefined;
    case 'cluster':
      return run.level === 'step' ? run.clusterId || undefined : undefined;
    case 'day':
      return dayBucketOf(at);
  }
}

/** Exact duration figures: percentile q is the sorted durations' element at floor(q·(n−1)). */
export function exactDurationFigures(durations: number[]): DurationFigures {
  const sorted = Float64Array.from(durations).sort();
  const n = sorted.length;
  const at = (q: number) => (n ? roundMicros(sorted[Math.floor(q * (n - 1))] ?? 0) : null);
  let sum = 0;
  for (const d of sorted) sum += d;
  return {
    count: n,
    minMs: n ? (sorted[0] ?? null) : null,
    maxMs: n ? (sorted[n - 1] ?? null) : null,
    meanMs: n ? roundMicros(sum / n) : null,
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p95Ms: at(0.95),
    p99Ms: at(0.99),
  };
}

/** Streams one data file: checks its gzip, every line, its item count and MD5; feeds each item to `onItem`. */
async function streamDataFile(
  path: string,
  entry: ManifestFileEntry,
  onItem: (item: Record<string, unknown>, line: number) => void,
): Promise<void> {
  const hash = createHash('md5');
  let line = 0;
  const size = (await stat(path)).size;
  if (size > 0) {
    const decoder = new StringDecoder('utf8');
    let rest = '';
    try {
      await pipeline(
        createReadStream(path),
        async function* (source: AsyncIterable<Buffer>) {
          for await (const chunk of source) {
            hash.update(chunk);
            yield chunk;
          }
        },
        createGunzip(),
        async (source: AsyncIterable<Buffer>) => {
          for await (const chunk of source) {
            const lines = (rest + decoder.write(chunk)).split('\n');
            rest = lines.pop() ?? '';
            for (const text of lines) onItem(itemOfLine(text, path, ++line), line);
          }
          rest += decoder.end();
          if (rest !== '') onItem(itemOfLine(rest, path, ++line), line);
        },
      );
    } catch (error) {
      if (error instanceof ExportFormatError) throw error;
      throw new ExportFormatError(path, line + 1, `corrupt gzip: ${(error as Error).message}`);
    }
  }
  // An empty partition may come as a zero-byte file: it holds no items.
  if (line !== entry.itemCount) {
    throw new ExportFormatError(path, undefined, `count mismatch: ${FILES_FILE} says ${entry.itemCount} items, the file has ${line}`);
  }
  const checksum = hash.digest('base64');
  if (size > 0 && checksum !== entry.md5Checksum) {
    throw new ExportFormatError(path, undefined, `checksum mismatch: ${FILES_FILE} says md5 ${entry.md5Checksum}, the file's is ${checksum}`);
  }
}

/** Analyzes the export in `dir`: the `/stats/durations` and `/stats/failure-rates` bodies of the query. */
export async function analyzeExport(dir: string, options: AnalyzeOptions, nowMicros?: number): Promise<AnalysisResult> {
  const q = resolveAnalyzeQuery(options, nowMicros);
  const found = await findExport(dir, options.exportId);
  const files = await readDataManifest(found);
  const groups = new Map<string, GroupTally>();

  const onItem = (file: string) => (item: Record<string, unknown>, line: number) => {
    const kind = ItemKind.safeParse(item.kind);
    if (!kind.success) throw new ExportFormatError(file, line, `unknown item kind ${JSON.stringify(item.kind)} (PK ${String(item.PK)})`);
    if (kind.data !== 'run') return; // job states, revisions, rollups, targets and bookkeeping are not runs
    const parsed = RunItem.safeParse(item);
    if (!parsed.success) throw new ExportFormatError(file, line, `not a valid run item: ${issuesOf(parsed.error)}`);
    const run = parsed.data;
    const at = parseInstantMicros(run.belongsAt);
    if (at === undefined) throw new ExportFormatError(file, line, `belongsAt "${run.belongsAt}" is not a time`);
    if (run.level !== q.level || at < q.from || at >= q.to) return;
    if ((q.source !== undefined && run.source !== q.source) || (q.type !== undefined && run.type !== q.type)) return;
    const key = groupKeyOf(run, q.groupBy, at);
    if (key === undefined) return;
    let g = groups.get(key);
    if (!g) {
      g = { succeeded: 0, failed: 0, timed_out: 0, durationRuns: 0, durations: [] };
      groups.set(key, g);
    }
    g[run.status] += 1;
    if (q.status === undefined || run.status === q.status) {
      g.durationRuns += 1;
      if (run.durationMs !== undefined) g.durations.push(run.durationMs);
    }
  };
  for (const f of files) await streamDataFile(f.path, f.entry, onItem(f.path));

  const envelope = { from: formatMicros(q.from), to: formatMicros(q.to), level: q.level, groupBy: q.groupBy };
  const keys = [...groups.keys()].sort();
  const durations: DurationStatsBody = { ...envelope, groups: [] };
  const failureRates: FailureRateStatsBody = { ...envelope, groups: [] };
  for (const key of keys) {
    const g = groups.get(key);
    if (!g) continue;
    if (g.durationRuns > 0) durations.groups.push({ key, ...exactDurationFigures(g.durations) });
    // The API's own formula (rate, Wilson interval), fed with exact counts.
    const agg = emptyAggregate();
    agg.succeeded.runs = g.succeeded;
    agg.failed.runs = g.failed;
    agg.timed_out.runs = g.timed_out;
    const figures = failureFigures(agg);
    if (figures.total > 0) failureRates.groups.push({ key, ...figures });
  }
  return { durations, failureRates };
}

const fmt = (v: number | null, digits = 1) => (v === null ? '-' : v.toFixed(digits));

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The readable form of an analysis (what `analyze` prints without `--json`). */
export function formatAnalysis(result: AnalysisResult): string {
  const { durations: d, failureRates: f } = result;
  const title = `level ${d.level}, by ${d.groupBy}, [${d.from}, ${d.to})`;
  const durationRows = d.groups.map((g) => [g.key, String(g.count), fmt(g.minMs), fmt(g.p50Ms), fmt(g.p90Ms), fmt(g.p95Ms), fmt(g.p99Ms), fmt(g.maxMs), fmt(g.meanMs)]);
  const failureRows = f.groups.map((g) => [
    g.key,
    String(g.total),
    String(g.succeeded),
    String(g.failed),
    String(g.timedOut),
    g.failureRate === null ? '-' : `${(g.failureRate * 100).toFixed(1)}%`,
    g.ci95 === null ? '-' : `${(g.ci95[0] * 100).toFixed(1)}–${(g.ci95[1] * 100).toFixed(1)}%`,
  ]);
  return [
    `Durations (ms), ${title}`,
    durationRows.length ? table(['group', 'count', 'min', 'p50', 'p90', 'p95', 'p99', 'max', 'mean'], durationRows) : '(no terminal runs)',
    '',
    `Failure rates, ${title}`,
    failureRows.length ? table(['group', 'total', 'succeeded', 'failed', 'timed out', 'rate', '95% CI'], failureRows) : '(no terminal runs)',
    '',
  ].join('\n');
}
