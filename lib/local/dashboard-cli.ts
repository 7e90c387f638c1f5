// `npm run dashboard -- --api <url> [--region r] [--port p]`: the deployed stack's dashboard on 127.0.0.1, its API
// calls signed with SigV4 (./dashboard-proxy.ts; README "Dashboard").
import { parseDashboardArgs, startDashboardProxy, UsageError } from './dashboard-proxy';

async function main(): Promise<void> {
  const options = parseDashboardArgs(process.argv.slice(2));
  const proxy = await startDashboardProxy(options);
  process.stdout.write(`Dashboard on ${proxy.url}  (API calls signed with SigV4 for ${options.api.origin}, region ${options.region}; Ctrl-C stops)\n`);
  const stop = () => void proxy.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const known = error instanceof UsageError || (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
  process.stderr.write(`[dashboard] error: ${known ? (error as Error).message : String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
