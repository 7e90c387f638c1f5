import { createDynamoDbClient } from '../aws/dynamodb';
import { resolve } from 'node:path';
import { exportLocalTable } from './export-local';
import { localDynamoConnection, localDynamoEndpoint, parseLocalEnv } from './local-config';

// `npm run export:local -- <dir> [--files N]`: the local table in the layout of a DynamoDB export to S3.
// The same environment as `npm start` (lib/local/local-config.ts): its table on its DynamoDB.

async function main(argv: string[]): Promise<void> {
  const args = [...argv];
  let dir: string | undefined;
  let dataFiles: number | undefined;
  while (args.length) {
    const arg = args.shift();
    if (arg === '--files') dataFiles = Number(args.shift());
    else if (arg?.startsWith('--')) throw new Error(`unknown option ${arg} (usage: export:local -- <dir> [--files N])`);
    else dir = arg;
  }
  if (!dir) throw new Error('usage: npm run export:local -- <dir> [--files N]');
  const config = parseLocalEnv();
  const endpoint = localDynamoEndpoint(config);
  const tableName = config.TABLE_NAME;
  const client = createDynamoDbClient(localDynamoConnection(config));
  const result = await exportLocalTable({ client, tableName, dir: resolve(dir), dataFiles });
  process.stdout.write(`exported ${result.itemCount} items of ${tableName} (${endpoint}) to ${result.exportDir}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`export:local: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
