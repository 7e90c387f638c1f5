import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExportFormatError, analyzeExport } from '../../lib/local/analyze';
import { md5 } from '../../lib/local/export-format';

// Each bad-input case on a corrupted copy of the fixture: one ExportFormatError naming the file (and line).
const FIXTURE = join(__dirname, '..', 'fixtures', 'exports', 'two-exports');
const NEWER = join('exports', 'AWSDynamoDB', '01762829700000-0a1b2c3d');
const FILE_A = 'a1b2c3d4e5f6g7h8i9j0k1l2m3.json.gz';
const WINDOW = { from: '2025-11-09T00:00:00Z', to: '2025-11-12T00:00:00Z' };

let root: string;
let exportDir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'analyze-errors-'));
  cpSync(FIXTURE, root, { recursive: true });
  exportDir = join(root, NEWER);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const dataPath = (name = FILE_A) => join(exportDir, 'data', name);
const lines = (name = FILE_A) => gunzipSync(readFileSync(dataPath(name))).toString('utf8').split('\n').filter((l) => l !== '');

/** Rewrites a manifest and its .checksum, so only the intended defect remains. */
function writeManifest(file: 'manifest-files' | 'manifest-summary', text: string): void {
  writeFileSync(join(exportDir, `${file}.json`), text);
  writeFileSync(join(exportDir, `${file}.checksum`), md5(text).hex);
}

/** Replaces a data file's lines and updates its manifest entry (count, md5) unless told to keep them. */
function writeData(newLines: string[], keep: { count?: boolean; md5?: boolean } = {}): void {
  const gz = gzipSync(newLines.map((l) => `${l}\n`).join(''));
  writeFileSync(dataPath(), gz);
  const entries = readFileSync(join(exportDir, 'manifest-files.json'), 'utf8').split('\n').filter((l) => l !== '');
  let previousCount = 0;
  const updated = entries.map((raw) => {
    const entry = JSON.parse(raw) as { itemCount: number; md5Checksum: string; etag: string; dataFileS3Key: string };
    if (!entry.dataFileS3Key.endsWith(FILE_A)) return raw;
    previousCount = entry.itemCount;
    if (!keep.count) entry.itemCount = newLines.length;
    if (!keep.md5) entry.md5Checksum = md5(gz).base64;
    return JSON.stringify(entry);
  });
  writeManifest('manifest-files', `${updated.join('\n')}\n`);
  if (!keep.count) {
    const summary = JSON.parse(readFileSync(join(exportDir, 'manifest-summary.json'), 'utf8')) as { itemCount: number };
    summary.itemCount += newLines.length - previousCount;
    writeManifest('manifest-summary', JSON.stringify(summary));
  }
}

async function failure(): Promise<ExportFormatError> {
  const error = await analyzeExport(root, WINDOW).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExportFormatError);
  return error as ExportFormatError;
}

describe('analyze: bad input gives one clear error naming the file and line', () => {
  it('still reads the untouched copy (the corruptions below are what fails)', async () => {
    writeData(lines());
    await expect(analyzeExport(root, WINDOW)).resolves.toBeDefined();
  });

  it('a missing summary manifest', async () => {
    rmSync(join(exportDir, 'manifest-summary.json'));
    const e = await failure();
    expect(e.file).toBe(join(exportDir, 'manifest-summary.json'));
    expect(e.message).toMatch(/manifest is missing/);
  });

  it('a missing files manifest', async () => {
    rmSync(join(exportDir, 'manifest-files.json'));
    const e = await failure();
    expect(e.file).toBe(join(exportDir, 'manifest-files.json'));
    expect(e.message).toMatch(/manifest is missing/);
  });

  it("a manifest that does not match its .checksum", async () => {
    writeFileSync(join(exportDir, 'manifest-files.json'), `${readFileSync(join(exportDir, 'manifest-files.json'), 'utf8')}\n`);
    const e = await failure();
    expect(e.message).toMatch(/manifest-files\.json: checksum mismatch/);
  });

  it('a data file whose MD5 is not the manifest’s', async () => {
    const original = lines();
    writeData([...original.slice(1), original[0] ?? ''], { md5: true }); // same items, other bytes
    const e = await failure();
    expect(e.file).toBe(dataPath());
    expect(e.message).toMatch(/checksum mismatch: manifest-files\.json says md5 .+, the file's is/);
  });

  it('a data file with fewer items than its manifest entry', async () => {
    writeData(lines().slice(1), { count: true });
    const e = await failure();
    expect(e.file).toBe(dataPath());
    expect(e.message).toMatch(/count mismatch: manifest-files\.json says 6 items, the file has 5/);
  });

  it('a summary itemCount that disagrees with the files manifest', async () => {
    const summary = JSON.parse(readFileSync(join(exportDir, 'manifest-summary.json'), 'utf8')) as { itemCount: number };
    summary.itemCount = 13;
    writeManifest('manifest-summary', JSON.stringify(summary));
    const e = await failure();
    expect(e.file).toBe(join(exportDir, 'manifest-summary.json'));
    expect(e.message).toMatch(/count mismatch: itemCount is 13, manifest-files\.json lists 12/);
  });

  it('a corrupt (truncated) gzip', async () => {
    truncateSync(dataPath(), 40);
    const e = await failure();
    expect(e.file).toBe(dataPath());
    expect(e.message).toMatch(/corrupt gzip/);
  });

  it('a line that is not JSON, and one that is not an export item', async () => {
    const original = lines();
    writeData([...original.slice(0, 2), '{"Item": {"PK": {"S": "x"}', ...original.slice(3)]);
    expect((await failure()).message).toMatch(new RegExp(`${FILE_A}:3: is not JSON`));
    writeData([...original.slice(0, 4), '{"Items": {"PK": {"S": "x"}}}', ...original.slice(5)]);
    const e = await failure();
    expect(e.line).toBe(5);
    expect(e.message).toMatch(/not an export item: expected \{"Item": \{\.\.\.\}\}/);
  });

  it('an item of an unknown kind, and an item without a kind', async () => {
    const original = lines();
    writeData([original[0] ?? '', '{"Item":{"PK":{"S":"WIDGET#1"},"SK":{"S":"x"},"kind":{"S":"widget"}}}']);
    const e = await failure();
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/unknown item kind "widget"/);
    writeData(['{"Item":{"PK":{"S":"WIDGET#1"},"SK":{"S":"x"}}}']);
    expect((await failure()).message).toMatch(/:1: unknown item kind undefined/);
  });

  it('a run item that breaks the item schema', async () => {
    writeData([lines()[0]?.replace('"durationMs":{"N":"1000"}', '"durationMs":{"S":"1000"}') ?? '']);
    expect((await failure()).message).toMatch(/:1: not a valid run item: durationMs/);
  });

  it('an incremental export (changed items only) is refused with what to do instead', async () => {
    const summary = JSON.parse(readFileSync(join(exportDir, 'manifest-summary.json'), 'utf8')) as Record<string, unknown>;
    writeManifest('manifest-summary', JSON.stringify({ ...summary, exportType: 'INCREMENTAL_EXPORT' }));
    expect((await failure()).message).toMatch(/INCREMENTAL_EXPORT .* analyze a full export \(--export <id>\)/);
  });

  it('a data file the manifest does not list', async () => {
    writeFileSync(dataPath('stray.json.gz'), gzipSync(''));
    const e = await failure();
    expect(e.file).toBe(dataPath('stray.json.gz'));
    expect(e.message).toMatch(/not listed in manifest-files\.json/);
  });

  it('the CLI prints the one message and exits non-zero', () => {
    rmSync(join(exportDir, 'manifest-files.json'));
    const cli = join(__dirname, '..', '..', 'lib', 'local', 'analyze-cli.ts');
    const tsx = join(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
    const out = spawnSync(tsx, [cli, root, '--json'], { encoding: 'utf8' });
    expect(out.status).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr.trim()).toBe(`analyze: ${join(exportDir, 'manifest-files.json')}: manifest is missing`);
  });
});
