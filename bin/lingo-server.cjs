#!/usr/bin/env node
'use strict';
/*
 * The lingo-server command: tunes the process (bin/process-tuning.cjs), then runs dist/main.js.
 * This file is CommonJS so that the tuning runs before any ES module loads.
 *
 * `node --require bin/lingo-server.cjs <entry>` only tunes the process (the bench runs its own
 * build of main.js that way).
 */
require('./process-tuning.cjs').applyProcessTuning(process.env);

if (require.main === module) {
  const fs = require('node:fs');
  const path = require('node:path');
  const { pathToFileURL } = require('node:url');
  const main = path.join(__dirname, '..', 'dist', 'main.js');
  if (!fs.existsSync(main)) {
    process.stderr.write(`lingo-server: ${main} is missing: run \`npm run build\` first\n`);
    process.exit(1);
  }
  import(pathToFileURL(main).href).catch((err) => {
    process.stderr.write(`lingo-server: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
