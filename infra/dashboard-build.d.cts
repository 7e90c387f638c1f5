/** One built file of the dashboard: its Content-Type, text and strong ETag. */
export interface DashboardAsset {
  type: string;
  body: string;
  etag: string;
}
/** The built page by file name (`index.html`, `app.js`, `app.css`). */
export type DashboardAssets = Record<string, DashboardAsset>;
export function buildDashboardAssets(): Promise<DashboardAssets>;
export const ASSETS_MODULE: string;
export const dashboardAssetsPlugin: unknown;
