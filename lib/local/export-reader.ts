import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type * as z from 'zod';
import type { TerminalRun } from '../jobs/runs';
import { ItemKind, RunItem } from '../store/items';
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
 * Reads a DynamoDB export folder (from `export:local`, or `aws s3 sync` of the export bucket): finds the export,
 * checks everything it says (manifests, checksums, counts, every line) and streams its items line by line. The
 * first problem stops the read with an ExportFormatError naming the file and line.
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

/** The zod issues of a failed parse, in one line. */
export function issuesOf(error: z.ZodError): string {
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

/**
 * Streams the terminal runs of an export: every item is checked to be of a known kind, and every run item to be
 * a valid run; `onRun` sees each run with the file and line it came from.
 */
export async function readExportRuns(
  found: FoundExport,
  onRun: (run: TerminalRun, file: string, line: number) => void,
): Promise<void> {
  for (const f of await readDataManifest(found)) {
    await streamDataFile(f.path, f.entry, (item, line) => {
      const kind = ItemKind.safeParse(item.kind);
      if (!kind.success) throw new ExportFormatError(f.path, line, `unknown item kind ${JSON.stringify(item.kind)} (PK ${String(item.PK)})`);
      if (kind.data !== 'run') return; // job states, revisions, rollups, targets and bookkeeping are not runs
      const parsed = RunItem.safeParse(item);
      if (!parsed.success) throw new ExportFormatError(f.path, line, `not a valid run item: ${issuesOf(parsed.error)}`);
      const { PK: _pk, SK: _sk, kind: _kind, ...run } = parsed.data;
      onRun(run, f.path, line);
    });
  }
}
