// The dashboard's built files, answered at build time by the esbuild plugin in infra/dashboard-build.cjs.
declare module 'dashboard-assets' {
  // A relative import cannot appear in an ambient module declaration: the type is named inline.
  // eslint-disable-next-line @typescript-eslint/consistent-type-imports
  const assets: import('./dashboard-page').DashboardAssets;
  export default assets;
}
