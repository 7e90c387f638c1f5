// The dashboard's build: lib/dashboard/ (browser TypeScript and CSS) bundled by esbuild into three static files,
// in memory. One build for every consumer: the serverless-esbuild plugin below embeds the files in the dashboard
// Lambda's bundle (so `serverless package`, deploy and `npm start` serve what this builds), `npm run dashboard`
// serves them from its local proxy, and the bench measures them. Plain CommonJS because serverless-esbuild loads
// its plugins with require().
const { createHash } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const SOURCE = join(ROOT, 'lib', 'dashboard');
/** The module id the dashboard handler imports; the plugin answers it with the built files. */
const ASSETS_MODULE = 'dashboard-assets';

const TYPES = { 'index.html': 'text/html; charset=utf-8', 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' };

/**
 * Builds the page: `{ 'index.html', 'app.js', 'app.css' }`, each `{ type, body, etag }`. Minified, for browsers
 * of the last few years (es2020), no source map (the code is small and readable in the repository).
 */
async function buildDashboardAssets() {
  const esbuild = require('esbuild');
  const result = await esbuild.build({
    entryPoints: [
      { in: join(SOURCE, 'main.ts'), out: 'app' },
      { in: join(SOURCE, 'styles.css'), out: 'app' },
    ],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    platform: 'browser',
    write: false,
    outdir: '/out',
    logLevel: 'silent',
    tsconfig: join(SOURCE, 'tsconfig.json'),
    legalComments: 'none',
  });
  const files = { 'index.html': readFileSync(join(SOURCE, 'index.html'), 'utf8') };
  for (const out of result.outputFiles) files[out.path.slice('/out/'.length)] = out.text;
  const assets = {};
  for (const [name, body] of Object.entries(files)) {
    if (!TYPES[name]) throw new Error(`dashboard build: unexpected output ${name}`);
    assets[name] = { type: TYPES[name], body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
  }
  for (const name of Object.keys(TYPES)) if (!assets[name]) throw new Error(`dashboard build: ${name} missing`);
  return assets;
}

/** esbuild plugin: `import assets from 'dashboard-assets'` gets the built page as a JSON module. */
const dashboardAssetsPlugin = {
  name: 'dashboard-assets',
  setup(build) {
    build.onResolve({ filter: /^dashboard-assets$/ }, () => ({ path: ASSETS_MODULE, namespace: 'dashboard-assets' }));
    build.onLoad({ filter: /.*/, namespace: 'dashboard-assets' }, async () => ({
      contents: JSON.stringify(await buildDashboardAssets()),
      loader: 'json',
      // Rebuilt when the page's sources change (serverless-offline watch, esbuild incremental).
      watchDirs: [SOURCE],
    }));
  },
};

module.exports = { buildDashboardAssets, dashboardAssetsPlugin, ASSETS_MODULE };
