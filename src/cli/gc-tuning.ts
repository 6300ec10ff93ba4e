import v8 from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring for the server process (its worker threads share
 * the flag). The heuristic notices that objects from some object literals are still alive at
 * most scavenges (an upload's rows, index entries and records live for the 25–50 ms that their
 * lazy commit lingers, bench/README.md) and starts allocating them straight in the old
 * generation. Such an object then keeps whatever young object it points to alive until the next
 * full mark-compact, the request's socket buffers included, long after it is dead itself: under
 * small uploads every ArrayBuffer survived every scavenge (process.memoryUsage().arrayBuffers
 * only fell at mark-compacts), which came every 150–250 ms because of the external memory this
 * piled up, and their concurrent marking took ~100 µs of CPU per upload beside 5–8 ms pauses.
 * Without pretenuring those literals start young like everything else and die there.
 *
 * Read by V8 at every scavenge, so setting it at start-up (not only on the command line) works.
 */
export function tuneGarbageCollector(): void {
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
}
