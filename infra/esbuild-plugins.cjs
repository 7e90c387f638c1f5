// The esbuild plugins serverless-esbuild runs for every function (serverless.yml `custom.esbuild.plugins`).
const { dashboardAssetsPlugin } = require('./dashboard-build.cjs');

module.exports = [dashboardAssetsPlugin];
