// Preloaded (`node -r`) into the serverless-offline process that `npm start` runs, so that it dies with its
// parent however the parent dies. Its stdin is a pipe from `npm start` that nobody writes to: when `npm start`
// exits, even by SIGKILL (which no handler sees), the kernel closes the pipe's other end and this process reads
// end-of-file. It then stops as on Ctrl-C (SIGTERM: serverless-offline closes its servers and its ports), and is
// forced out if that takes more than a few seconds. Plain CommonJS: it runs before any TypeScript loader.
'use strict';

const { isMainThread } = require('node:worker_threads');

let leaving = false;
function parentGone() {
  if (leaving) return;
  leaving = true;
  setTimeout(() => process.exit(1), 3000).unref();
  process.kill(process.pid, 'SIGTERM');
}

// `-r` preloads into worker threads too (serverless-offline runs the handlers in them), where process.stdin is
// an empty stream of the thread's own that ends at once: only the main thread watches the real pipe.
if (isMainThread) {
  process.stdin.on('end', parentGone);
  process.stdin.on('close', parentGone);
  process.stdin.on('error', parentGone);
  // Flowing mode: nothing is expected on it, but reading is what notices the end.
  process.stdin.resume();
}
