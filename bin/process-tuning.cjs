'use strict';
/*
 * Process tuning: the two things lingo-server changes about Node itself, side by side. Both must
 * happen before the server's modules load, so the bin (bin/lingo-server.cjs, CommonJS, loaded with
 * synchronous reads) applies them first. `LINGO_PROCESS_TUNING=off` leaves Node as it is.
 * The evidence for each, and the command that re-measures it: docs/performance.md#thread-pool and
 * docs/performance.md#v8-flags.
 */
const v8 = require('node:v8');

/*
 * libuv's thread pool: 16 threads instead of 4. Every blob write ends in an fsync that holds a
 * pool thread until the disk answers; with 4 threads a few slow fsyncs stall every other file
 * operation, downloads' reads included. libuv sizes the pool once, at first use, and loading an
 * ES module already uses it, so this must run before dist/main.js is imported. A
 * UV_THREADPOOL_SIZE in the environment wins; an empty one counts as unset (libuv would read it
 * as 1 thread). A module preloaded with --import (NODE_OPTIONS included) loads before the bin,
 * and then only the environment can size the pool.
 */
const threadPoolSize = '16';

/*
 * Two V8 garbage-collector heuristics that misjudge a server whose heap is small and whose bytes
 * live outside it (socket buffers, file chunks). Both apply to the whole process, worker threads
 * included.
 * - Allocation-site pretenuring, off: under steady uploads V8 starts allocating per-request
 *   objects (Node's request, response and stream state) straight in the old generation, where
 *   they outlive their request and keep its buffers alive until the next full collection.
 * - The old generation's growing factor, fixed at 4 (V8's own largest): on a small heap V8 often
 *   settles on a low factor and then runs frequent full collections, each a latency spike. The
 *   cost is more garbage between full collections, a little more memory at peak.
 */
const v8Flags = ['--no-allocation-site-pretenuring', '--heap-growing-percent=300'];

/** Applies both unless `env.LINGO_PROCESS_TUNING` is `off`; returns whether it did. */
function applyProcessTuning(env) {
  if (env.LINGO_PROCESS_TUNING === 'off') return false;
  if (!env.UV_THREADPOOL_SIZE) env.UV_THREADPOOL_SIZE = threadPoolSize;
  for (const flag of v8Flags) v8.setFlagsFromString(flag);
  return true;
}

module.exports = { applyProcessTuning };
