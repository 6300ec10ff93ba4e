#!/usr/bin/env node
'use strict';
/*
 * The lingo-server command: sizes libuv's thread pool, then runs dist/main.js.
 *
 * Every blob write ends in fsyncs, each of which blocks a pool thread until the disk answers:
 * with libuv's default of 4 threads, four slow fsyncs stall every other file operation,
 * downloads' reads included. libuv sizes the pool once, when it is first used, and loading an
 * ES module already uses it (Node reads module files asynchronously), so no line of
 * dist/main.js runs early enough to change it. This file is CommonJS, loaded with synchronous
 * reads, so it runs before the pool exists. A UV_THREADPOOL_SIZE in the environment wins. A
 * module preloaded with --import (NODE_OPTIONS included) loads before this file, and then only the
 * environment can size the pool.
 *
 * `node --require bin/lingo-server.cjs <entry>` only sizes the pool (the bench runs its own
 * build of main.js that way).
 */
// Empty counts as unset: libuv would read it as 1 thread.
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = '16';

if (require.main === module) {
  const path = require('node:path');
  const { pathToFileURL } = require('node:url');
  import(pathToFileURL(path.join(__dirname, '..', 'dist', 'main.js')).href).catch((err) => {
    process.stderr.write(`lingo-server: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
