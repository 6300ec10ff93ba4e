import v8 from 'node:v8';

/**
 * Turns off V8's allocation-site pretenuring in the server process (worker threads share the
 * flag). Under a steady upload load, V8 sees the objects of many allocation sites still alive at
 * scavenges (Node's own ServerResponse, IncomingMessage and stream state, our put/append/stage
 * frames: --trace-deopt shows their code deoptimised for the new decision) and starts
 * allocating them straight in the old generation. There they outlive their request until the
 * next mark-compact, and keep alive whatever young object they point to, the request's socket
 * buffers included. Under small uploads no ArrayBuffer was then freed by a scavenge
 * (`process.memoryUsage().arrayBuffers` fell only at mark-compacts), the external memory this
 * piled up forced a mark-compact every 150–250 ms, and their concurrent marking cost ~100 µs of
 * CPU per upload beside 4–8 ms pauses. Without pretenuring these objects start young and die
 * young, as in a plain node:http server (bench/README.md, session 6).
 *
 * V8 reads the flag at every scavenge, so setting it at start-up works as the command line does.
 */
export function tuneGarbageCollector(): void {
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
}
