import v8 from 'node:v8';

/**
 * Two V8 heuristics that misjudge a server whose heap is small and whose bytes live outside it.
 * Both flags apply to the whole process (worker threads share them), and V8 reads them each time
 * it decides, so setting them at start-up works as the command line does.
 *
 * Allocation-site pretenuring, turned off. Under a steady upload load, V8 sees the objects of
 * many allocation sites still alive at scavenges (Node's own ServerResponse, IncomingMessage and
 * stream state, our put/append/stage frames: --trace-deopt shows their code deoptimised for the
 * new decision) and starts allocating them straight in the old generation. There they outlive
 * their request until the next mark-compact, and keep alive whatever young object they point
 * to, the request's socket buffers included. Under small uploads no ArrayBuffer was then freed
 * by a scavenge (`process.memoryUsage().arrayBuffers` fell only at mark-compacts), the external
 * memory this piled up forced a mark-compact every 150–250 ms, and their concurrent marking cost
 * ~100 µs of CPU per upload beside 4–8 ms pauses. Without pretenuring these objects start young
 * and die young, as in a plain node:http server (bench/README.md, session 6).
 *
 * The old generation's growing factor, fixed at 4. After each mark-compact V8 lets the old
 * generation grow to its live size times a factor it derives from how fast it marks against how
 * fast objects are promoted. On this server's ~10 MB heap, under the same steady 1,000
 * uploads/s, it settled at 3.2–4.0 in some runs and mostly at 1.3–1.7 in others, and then compacted
 * every ~170 ms: 20–50 mark-compacts in 10 s (pauses of 4–20 ms) against 0–2, and a p99 latency
 * of 29–37 ms against 18–20 ms (bench/README.md, session 7). 4 is V8's own largest factor for a
 * heap limit of 1 GB or more, the one it picks in the good runs. The cost is garbage of up to
 * three times the live old generation before it is collected: the 64 × 10 MiB scenario's peak
 * RSS went from 166 to 178 MB.
 */
export function tuneGarbageCollector(): void {
  v8.setFlagsFromString('--no-allocation-site-pretenuring');
  v8.setFlagsFromString('--heap-growing-percent=300');
}
