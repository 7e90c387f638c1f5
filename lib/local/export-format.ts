import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod';

/**
 * The layout of a DynamoDB export to S3 (AWS docs, "DynamoDB table export output format"), shared by the local
 * exporter and the analyzer:
 *
 *   <prefix>/AWSDynamoDB/<exportId>/manifest-summary.json   (+ manifest-summary.checksum: md5 hex)
 *   <prefix>/AWSDynamoDB/<exportId>/manifest-files.json     (JSON lines, + manifest-files.checksum)
 *   <prefix>/AWSDynamoDB/<exportId>/data/<random>.json.gz   (one `{"Item": {...DynamoDB JSON...}}` per line)
 *   <prefix>/AWSDynamoDB/<exportId>/_started                (empty)
 */

export const EXPORT_ROOT = 'AWSDynamoDB';
export const SUMMARY_FILE = 'manifest-summary.json';
export const FILES_FILE = 'manifest-files.json';
export const SUMMARY_CHECKSUM_FILE = 'manifest-summary.checksum';
export const FILES_CHECKSUM_FILE = 'manifest-files.checksum';

/** `manifest-summary.json`, field for field as AWS writes it. */
export const ManifestSummary = z.object({
  version: z.string(),
  exportArn: z.string(),
  startTime: z.string(),
  endTime: z.string(),
  tableArn: z.string(),
  tableId: z.string(),
  exportTime: z.string(),
  s3Bucket: z.string().nullable(),
  s3Prefix: z.string().nullable(),
  s3SseAlgorithm: z.string().nullable(),
  s3SseKmsKeyId: z.string().nullable(),
  manifestFilesS3Key: z.string(),
  billedSizeBytes: z.number().int().nonnegative(),
  itemCount: z.number().int().nonnegative(),
  outputFormat: z.enum(['DYNAMODB_JSON', 'ION']),
  /** Absent in exports made before incremental exports existed: those are full exports. */
  exportType: z.enum(['FULL_EXPORT', 'INCREMENTAL_EXPORT']).optional(),
});
export type ManifestSummary = z.infer<typeof ManifestSummary>;

/** One line of `manifest-files.json`: a data file, its item count and checksums. */
export const ManifestFileEntry = z.object({
  itemCount: z.number().int().nonnegative(),
  /** Base64 MD5 of the (compressed) data file. */
  md5Checksum: z.string(),
  /** The S3 ETag: hex MD5 for a single-part upload, `<hex>-<parts>` for a multipart one. */
  etag: z.string(),
  dataFileS3Key: z.string(),
});
export type ManifestFileEntry = z.infer<typeof ManifestFileEntry>;

/** An export id as AWS makes them: 14-digit epoch milliseconds, a dash, 8 hex digits. */
export function newExportId(at: Date): string {
  return `${String(at.getTime()).padStart(14, '0')}-${randomBytes(4).toString('hex')}`;
}

const DATA_NAME_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random data file name like AWS's (`<26 chars>.json.gz`). */
export function newDataFileName(): string {
  const bytes = randomBytes(26);
  return `${Array.from(bytes, (b) => DATA_NAME_ALPHABET[b % DATA_NAME_ALPHABET.length]).join('')}.json.gz`;
}

/** MD5 of a buffer as base64 (manifest `md5Checksum`) and hex (`etag`, `.checksum` files). */
export function md5(data: Buffer | string): { base64: string; hex: string } {
  const digest = createHash('md5').update(data).digest();
  return { base64: digest.toString('base64'), hex: digest.toString('hex') };
}
