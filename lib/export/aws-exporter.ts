import { ExportTableToPointInTimeCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ExportRequest, TableExporter } from './exporter';

/** Where exports go. */
export interface ExportDestination {
  tableArn: string;
  bucket: string;
  /** Key prefix, e.g. `exports/`; DynamoDB adds `AWSDynamoDB/<exportId>/` below it. */
  prefix: string;
}

/** The AWS adapter of `TableExporter`: ExportTableToPointInTime in DynamoDB JSON, NEW_IMAGE for incrementals. */
export class AwsTableExporter implements TableExporter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly destination: ExportDestination,
  ) {}

  /** Starts the export and returns its ARN. */
  async startExport(request: ExportRequest): Promise<{ exportArn: string }> {
    const out = await this.client.send(new ExportTableToPointInTimeCommand(exportCommandInput(request, this.destination)));
    const exportArn = out.ExportDescription?.ExportArn;
    if (!exportArn) throw new Error('ExportTableToPointInTime returned no ExportArn');
    return { exportArn };
  }
}

/** The ExportTableToPointInTime input of a request (exported for the unit test of the command sent). */
export function exportCommandInput(request: ExportRequest, destination: ExportDestination) {
  const common = {
    TableArn: destination.tableArn,
    S3Bucket: destination.bucket,
    S3Prefix: destination.prefix,
    S3SseAlgorithm: 'AES256' as const,
    ExportFormat: 'DYNAMODB_JSON' as const,
    ClientToken: request.clientToken,
  };
  if (request.exportType === 'FULL_EXPORT') {
    return { ...common, ExportType: 'FULL_EXPORT' as const, ExportTime: request.exportTime };
  }
  return {
    ...common,
    ExportType: 'INCREMENTAL_EXPORT' as const,
    IncrementalExportSpecification: {
      ExportFromTime: request.exportFromTime,
      ExportToTime: request.exportToTime,
      ExportViewType: 'NEW_IMAGE' as const,
    },
  };
}
