import { AnalyzeOptionError, ExportFormatError, analyzeExport, formatAnalysis } from './analyze';

// `npm run analyze -- <dir> [--groupBy type|source|fleet|cluster|day|none] [--level job|step] [--from ISO]
//   [--to ISO] [--source federation|policy] [--type T] [--status S] [--attempt all|first] [--export <exportId>] [--json]`
// Exit codes: 0 ok, 1 bad export (message names file and line), 2 bad option.

const USAGE =
  'usage: npm run analyze -- <dir> [--groupBy type|source|fleet|cluster|day|none] [--level job|step] [--from ISO] [--to ISO] [--source S] [--type T] [--status S] [--attempt all|first] [--export ID] [--json]';
const VALUE_OPTIONS = { '--groupBy': 'groupBy', '--level': 'level', '--from': 'from', '--to': 'to', '--source': 'source', '--type': 'type', '--status': 'status', '--attempt': 'attempt', '--export': 'exportId' } as const;

function parseArgs(argv: string[]): { dir: string; json: boolean; options: Record<string, string> } {
  const options: Record<string, string> = {};
  let dir: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name === '--json') json = true;
    else if (name in VALUE_OPTIONS) {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new AnalyzeOptionError(`${name} needs a value`);
      options[VALUE_OPTIONS[name as keyof typeof VALUE_OPTIONS]] = value;
    } else if (name.startsWith('--')) throw new AnalyzeOptionError(`unknown option ${name}`);
    else if (dir === undefined) dir = name;
    else throw new AnalyzeOptionError(`unexpected argument ${name}`);
  }
  if (dir === undefined) throw new AnalyzeOptionError('the export folder is missing');
  return { dir, json, options };
}

async function main(argv: string[]): Promise<number> {
  try {
    const { dir, json, options } = parseArgs(argv);
    const result = await analyzeExport(dir, options);
    process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : formatAnalysis(result));
    return 0;
  } catch (error) {
    if (error instanceof ExportFormatError) {
      process.stderr.write(`analyze: ${error.message}\n`);
      return 1;
    }
    if (error instanceof AnalyzeOptionError) {
      process.stderr.write(`analyze: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`analyze: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
