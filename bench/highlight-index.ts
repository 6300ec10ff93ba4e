/**
 * Micro-benchmark of the highlight index (src/glossary/highlight/key-trie.ts), in process, no
 * HTTP: 10,000 entities with 20,000 keys from bench/lib/glossary-corpus.ts, scans of 1,000-
 * character texts beside a baseline that only iterates each text's code points once (the floor
 * of any scanner that reports code-point offsets), the cost of one entity update beside a full
 * rebuild, and the index's heap. No assertions.
 * Run: npx tsx --expose-gc bench/highlight-index.ts (without --expose-gc the heap is not measured)
 */
import { performance } from 'node:perf_hooks';
import { KeyTrie } from '../src/glossary/highlight/key-trie.js';
import { makeGlossary, makeHighlightText, seededRandom, type CorpusEntity } from './lib/glossary-corpus.js';
import { median, percentile } from './lib/stats.js';

const entities = 10_000;
const textCodePoints = 1000;
const runMillis = 1500;

const keysOf = (e: CorpusEntity): string[] => [e.mainKey, ...e.aliases];

function build(glossary: readonly CorpusEntity[]): KeyTrie {
  const trie = new KeyTrie();
  glossary.forEach((e, i) => trie.add(String(i + 1), keysOf(e)));
  return trie;
}

/** Calls `fn` on the texts in turn for `runMillis` after a warm-up; per-call latencies in µs. */
function measure(texts: readonly string[], fn: (text: string) => number): { perSec: number; p50: number; p99: number; sink: number } {
  let sink = 0;
  for (let i = 0; i < 200; i++) sink += fn(texts[i % texts.length]!);
  const latencies: number[] = [];
  const start = performance.now();
  let now = start;
  for (let i = 0; now - start < runMillis; i++) {
    const t0 = performance.now();
    sink += fn(texts[i % texts.length]!);
    now = performance.now();
    latencies.push((now - t0) * 1000);
  }
  latencies.sort((a, b) => a - b);
  return { perSec: latencies.length / ((now - start) / 1000), p50: percentile(latencies, 50), p99: percentile(latencies, 99), sink };
}

function iterateCodePoints(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length;) {
    const c = text.codePointAt(i)!;
    sum += c;
    i += c > 0xffff ? 2 : 1;
  }
  return sum;
}

function heapUsed(): number | undefined {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function main(): void {
  const glossary = makeGlossary({ entities });
  const texts = Array.from({ length: 64 }, (_, i) => makeHighlightText(glossary, { codePoints: textCodePoints, seed: i + 1 }));

  const before = heapUsed();
  const trie = build(glossary);
  const after = heapUsed();
  const stats = trie.stats();
  console.log(`highlight index, Node ${process.version}`);
  console.log(
    `${fmt(stats.entities)} entities, ${fmt(glossary.reduce((n, e) => n + keysOf(e).length, 0))} keys (${fmt(stats.keys)} distinct), ${fmt(stats.nodes)} trie nodes`,
  );
  if (before !== undefined && after !== undefined) {
    console.log(`index heap (incl. typed arrays): ${fmt((after - before) / 1e6, 1)} MB, ${fmt((after - before) / stats.nodes, 0)} B a node`);
  } else console.log('index heap: not measured (run with --expose-gc)');
  const phrases = texts.reduce((n, t) => n + trie.scan(t).length, 0) / texts.length;
  console.log(`texts: ${texts.length} × ${textCodePoints} code points, ${fmt(phrases, 1)} phrases found per text\n`);

  const scan = measure(texts, (t) => trie.scan(t).length);
  const floor = measure(texts, iterateCodePoints);
  const worstTrie = new KeyTrie();
  for (let k = 1; k < 100; k++) worstTrie.add(String(k), ['a'.repeat(k) + 'b']);
  const worst = measure(['a'.repeat(textCodePoints)], (t) => worstTrie.scan(t).length);
  console.log('scan of a 1,000-character text         scans/s     p50 µs     p99 µs   vs floor');
  const row = (name: string, r: ReturnType<typeof measure>): void =>
    console.log(
      `${name.padEnd(38)} ${fmt(r.perSec).padStart(9)} ${fmt(r.p50, 1).padStart(10)} ${fmt(r.p99, 1).padStart(10)} ${fmt(floor.perSec / r.perSec, 1).padStart(9)}×`,
    );
  row('key trie, leftmost-longest', scan);
  row('floor: iterate the code points once', floor);
  row('worst case: every walk 99 deep', worst);

  // One entity update: the entity's keys replaced by a new set (one kept, one new), as a PUT does.
  const rnd = seededRandom(99);
  const updateUs: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const n = 1 + Math.floor(rnd() * entities);
    const e = glossary[n - 1]!;
    const keys = [e.mainKey, `${e.mainKey} v${i}`];
    const t0 = performance.now();
    trie.add(String(n), keys);
    updateUs.push((performance.now() - t0) * 1000);
  }
  updateUs.sort((a, b) => a - b);
  const rebuildMs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    build(glossary);
    rebuildMs.push(performance.now() - t0);
  }
  const rebuild = median(rebuildMs);
  const update = median(updateUs);
  console.log(`\none entity update: median ${fmt(update, 2)} µs, p99 ${fmt(percentile(updateUs, 99), 2)} µs`);
  console.log(`full rebuild of ${fmt(entities)} entities: median ${fmt(rebuild, 1)} ms (${fmt((rebuild * 1000) / update)}× one update)`);
}

main();
