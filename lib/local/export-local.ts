import { DescribeTableCommand, ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { createGzip, type Gzip } from 'node:zlib';
import {
  EXPORT_ROOT,
  FILES_CHECKSUM_FILE,
  FILES_FILE,
  SUMMARY_CHECKSUM_FILE,
  SUMMARY_FILE,
  md5,
  newDataFileName,
  newExportId,
  type ManifestFileEntry,
  type ManifestSummary,
} from './export-format';

/**
 * `npm run export:local`: writes a DynamoDB Local table in the exact layout of a DynamoDB full export to S3, so
 * the analyzer and Athena DDL can be tried on a workstation. A Scan is fine here: this never runs in AWS.
 */


/** Options of one local export. */
export interface LocalExportOptions {
  client: DynamoDBClient;
  tableName: string;
  /** The folder standing for the bucket (and prefix): `AWSDynamoDB/<exportId>/` is created below it. */
  dir: string;
  /** Data files to spread items over, like the partitions of a real export (some may stay empty). */
  dataFiles?: number;
  now?: () => Date;
}

/** What a local export wrote. */
export interface LocalExportResult {
  exportId: string;
  exportDir: string;
  itemCount: number;
  dataFiles: ManifestFileEntry[];
}

/** DynamoDB JSON of an attribute value as an export writes it (binary as base64). */
function exportJson(value: AttributeValue): unknown {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(exportJson) };
  if (value.M !== undefined) return { M: exportItem(value.M) };
  return value;
}

function exportItem(item: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, exportJson(value)]));
}

/** The data file an item goes to: by a hash of its partition key, as items of one partition share a file. */
function fileIndexOf(item: Record<string, AttributeValue>, files: number): number {
  const pk = item.PK?.S ?? JSON.stringify(item.PK ?? {});
  return createHash('md5').update(pk).digest().readUInt32BE(0) % files;
}

async function writeLine(stream: Gzip, line: string): Promise<void> {
  if (!stream.write(line)) await once(stream, 'drain');
}

/** Exports every item of the table to `<dir>/AWSDynamoDB/<exportId>/`, with manifests and checksums. */
export async function exportLocalTable(options: LocalExportOptions): Promise<LocalExportResult> {
  const now = options.now ?? (() => new Date());
  const startTime = now();
  const fileCount = options.dataFiles ?? 4;
  if (!Number.isInteger(fileCount) || fileCount < 1) throw new RangeError('dataFiles must be a positive integer');
  const table = (await options.client.send(new DescribeTableCommand({ TableName: options.tableName }))).Table;
  const tableArn = table?.TableArn ?? `arn:aws:dynamodb:ddblocal:000000000000:table/${options.tableName}`;
  const exportId = newExportId(startTime);
  const exportKey = `${EXPORT_ROOT}/${exportId}`;
  const exportDir = join(options.dir, EXPORT_ROOT, exportId);
  await mkdir(join(exportDir, 'data'), { recursive: true });
  await writeFile(join(exportDir, '_started'), '');

  const files = Array.from({ length: fileCount }, () => {
    const name = newDataFileName();
    const gzip = createGzip();
    const out = createWriteStream(join(exportDir, 'data', name));
    gzip.pipe(out);
    return { name, gzip, out, itemCount: 0 };
  });
  let itemCount = 0;
  let billedSizeBytes = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await options.client.send(new ScanCommand({ TableName: options.tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      const line = `${JSON.stringify({ Item: exportItem(item) })}\n`;
      const file = files[fileIndexOf(item, fileCount)];
      if (!file) throw new Error('data file index out of range');
      await writeLine(file.gzip, line);
      file.itemCount += 1;
      itemCount += 1;
      // The real figure is DynamoDB's item size; the uncompressed JSON size is the local stand-in.
      billedSizeBytes += Buffer.byteLength(line);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);

  const dataFiles: ManifestFileEntry[] = [];
  for (const file of files) {
    file.gzip.end();
    await once(file.out, 'finish');
    const sum = md5(await readFile(join(exportDir, 'data', file.name)));
    dataFiles.push({ itemCount: file.itemCount, md5Checksum: sum.base64, etag: sum.hex, dataFileS3Key: `${exportKey}/data/${file.name}` });
  }
  const filesText = dataFiles.map((entry) => JSON.stringify(entry)).join('\n') + '\n';
  await writeFile(join(exportDir, FILES_FILE), filesText);
  await writeFile(join(exportDir, FILES_CHECKSUM_FILE), md5(filesText).hex);

  const summary: ManifestSummary = {
    version: '2020-06-30',
    exportArn: `${tableArn}/export/${exportId}`,
    startTime: startTime.toISOString(),
    endTime: now().toISOString(),
    tableArn,
    tableId: table?.TableId ?? '00000000-0000-0000-0000-000000000000',
    exportTime: startTime.toISOString(),
    s3Bucket: 'local',
    s3Prefix: null,
    s3SseAlgorithm: 'AES256',
    s3SseKmsKeyId: null,
    manifestFilesS3Key: `${exportKey}/${FILES_FILE}`,
    billedSizeBytes,
    itemCount,
    outputFormat: 'DYNAMODB_JSON',
    exportType: 'FULL_EXPORT',
  };
  const summaryText = JSON.stringify(summary);
  await writeFile(join(exportDir, SUMMARY_FILE), summaryText);
  await writeFile(join(exportDir, SUMMARY_CHECKSUM_FILE), md5(summaryText).hex);
  return { exportId, exportDir, itemCount, dataFiles };
}
