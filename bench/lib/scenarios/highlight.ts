import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { paths, targets } from '../config.js';
import { makeGlossary, makeHighlightText, type CorpusEntity } from '../glossary-corpus.js';
import { runCannon } from '../load/cannon.js';
import { entityBody, seedGlossary } from '../lingo-data-dir.js';
import { startJsonAnswer, startLingo, type LingoServer, type ServerChild } from '../servers.js';
import { median, percentile, type RunStats } from '../stats.js';
import { alternate, clientBoundNote, cpuNote, idleRssMb, startAll, summarise, type Scenario } from './common.js';

const success = '"code":0';
const keys = (e: CorpusEntity): number => 1 + e.aliases.length;

interface Phrase {
  name: string;
  entity_ids: string[];
}

/** One request with the server's keep-alive agent (fetch): its wall time and parsed answer. */
async function timed(
  lingo: LingoServer,
  method: 'POST' | 'PUT',
  path: string,
  body: unknown,
): Promise<{ ms: number; json: { code?: number; data?: { phrases?: Phrase[] } } }> {
  const t0 = performance.now();
  const res = await fetch(lingo.baseUrl + path, {
    method,
    headers: { Authorization: `Bearer ${lingo.tokens[0]}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { code?: number; data?: { phrases?: Phrase[] } };
  const ms = performance.now() - t0;
  if (res.status !== 200 || json.code !== 0) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return { ms, json };
}

const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: median(sorted), p99: percentile(sorted, 99) };
};

/**
 * Highlight over HTTP (issue #17): lingo-server with 10,000 entities and 20,000 keys in its
 * company-wide repo, 1,000-character texts POSTed over keep-alive connections, beside the
 * json-answer baseline (node:http reading and parsing the same bodies and answering a fixed
 * small JSON: the least any JSON route costs here). Then, one connection at a time: the first
 * highlight of the fresh server (its index built from the store), steady highlights, and entity
 * updates each followed by a highlight that must find the new key, to show that a write costs
 * the next highlight its own keys, not a rebuild.
 */
export const highlight: Scenario = async (ctx) => {
  const glossary = makeGlossary({ entities: targets.highlightEntities });
  const seedStarted = performance.now();
  let seedMs = 0;
  const [lingo, baseline] = await startAll(
    startLingo(1, [], {
      scopes: ['baike:entity', 'baike:entity:exempt_review'],
      prepare: async (stores, apps) => {
        await seedGlossary(stores, apps[0]!, glossary);
        seedMs = performance.now() - seedStarted;
      },
    }),
    startJsonAnswer(),
  );
  try {
    const idle = { lingo: idleRssMb(lingo), baseline: idleRssMb(baseline) };
    const texts = Array.from({ length: 64 }, (_, i) => makeHighlightText(glossary, { codePoints: targets.highlightTextChars, seed: i + 1 }));
    const bodies = texts.map((text) => Buffer.from(JSON.stringify({ text })));

    // Before any other highlight: the tenant's index is built from the store on this request.
    const cold = await timed(lingo, 'POST', paths.highlight, { text: texts[0] });
    const phrasesPerText = cold.json.data?.phrases?.length ?? 0;
    if (phrasesPerText === 0) throw new Error('the first highlight found no phrase: the glossary is not loaded');

    const headers = { Authorization: `Bearer ${lingo.tokens[0]}` };
    const load = (server: ServerChild, durationS: number): Promise<RunStats> =>
      runCannon({ server, connections: targets.highlightConnections, durationS, path: paths.highlight, headers, json: bodies, expectInBody: success });
    const side = (label: string, server: ServerChild) => ({
      label,
      warmup: () => load(server, ctx.mode.warmupS),
      run: () => load(server, ctx.mode.highlightS),
    });
    const [lr, br] = await alternate(ctx, ctx.mode.rounds, side('lingo-server', lingo), side('json-answer', baseline));
    const l = summarise(lingo, lr.kept, idle.lingo, lr.discarded);
    const b = summarise(baseline, br.kept, idle.baseline, br.discarded);

    const writes = await measureWrites(lingo, glossary, texts[0]!, ctx.mode.highlightWrites);
    const ratio = l.median.reqPerSec / b.median.reqPerSec;
    const ms = (v: number) => `${v.toFixed(2)} ms`;
    const notes = [
      `glossary: ${glossary.length.toLocaleString('en-US')} entities, ${glossary.reduce((n, e) => n + keys(e), 0).toLocaleString('en-US')} keys, ` +
        `seeded through the glossary store in ${(seedMs / 1000).toFixed(1)} s (the HTTP create is tier 3 and durable per request); ` +
        `${phrasesPerText} phrases found in the first text; ${targets.highlightConnections} keep-alive connections, 64 texts rotated.`,
      `first highlight of the fresh server (index built from the store): ${ms(cold.ms)}.`,
      `one connection, one request at a time: highlight p50 ${ms(writes.steady.p50)}, p99 ${ms(writes.steady.p99)}; ` +
        `entity update (PUT) p50 ${ms(writes.put.p50)}; the highlight right after each update (${writes.count} updates, each new key found) ` +
        `p50 ${ms(writes.after.p50)}, p99 ${ms(writes.after.p99)}: ${(writes.after.p50 / writes.steady.p50).toFixed(2)}× a steady one, ` +
        `${((100 * writes.after.p50) / cold.ms).toFixed(1)} % of the first (full-load) highlight. The update reaches the index as that entity's keys only.`,
      cpuNote(l),
      cpuNote(b),
      clientBoundNote(l, os.cpus().length),
      clientBoundNote(b, os.cpus().length),
    ];
    return {
      id: 'highlight',
      title: `Highlight: ${targets.highlightTextChars.toLocaleString('en-US')}-character texts over 20,000 keys, ${targets.highlightConnections} connections`,
      lingo: l,
      baseline: b,
      headline: {
        metric: `req/s, median of ${ctx.mode.rounds} (p99 ${l.median.latencyMs.p99.toFixed(0)} ms vs ${b.median.latencyMs.p99.toFixed(0)} ms)`,
        lingo: l.median.reqPerSec,
        baseline: b.median.reqPerSec,
        ratio,
        target: 'none set (issue #17: reported)',
        pass: true,
        informational: true,
      },
      notes: notes.filter((n): n is string => n !== undefined),
      figures: {
        seedMs,
        phrasesPerText,
        coldFirstHighlightMs: cold.ms,
        steadyP50Ms: writes.steady.p50,
        steadyP99Ms: writes.steady.p99,
        updateP50Ms: writes.put.p50,
        highlightAfterUpdateP50Ms: writes.after.p50,
        highlightAfterUpdateP99Ms: writes.after.p99,
      },
    };
  } finally {
    await Promise.all([lingo.stop(), baseline.stop()]);
  }
};

/**
 * Steady highlights of `text`, then `count` updates, each of a different entity that gains a new
 * alias, followed by a highlight of `text` ending with that alias, which must name the entity.
 * Entity seqs are 1… in corpus order: the seed is the data dir's first and only insert of entities.
 */
async function measureWrites(lingo: LingoServer, glossary: readonly CorpusEntity[], text: string, count: number) {
  const steady: number[] = [];
  for (let i = 0; i < 200; i++) steady.push((await timed(lingo, 'POST', paths.highlight, { text })).ms);
  const put: number[] = [];
  const after: number[] = [];
  for (let i = 0; i < count; i++) {
    const seq = 1 + Math.floor((i * glossary.length) / count);
    const e = glossary[seq - 1]!;
    // "Zq" starts no corpus key, so the new alias is the only phrase at the text's end.
    const fresh = `Zqbench${i}`;
    put.push((await timed(lingo, 'PUT', paths.entity(`enterprise_${seq}`), entityBody({ ...e, aliases: [...e.aliases, fresh] }))).ms);
    const probe = `${text.slice(0, targets.highlightTextChars - fresh.length - 1)} ${fresh}`;
    const { ms, json } = await timed(lingo, 'POST', paths.highlight, { text: probe });
    after.push(ms);
    const found = json.data?.phrases?.find((p) => p.name === fresh);
    if (found?.entity_ids.join() !== `enterprise_${seq}`)
      throw new Error(`the highlight after updating enterprise_${seq} did not find ${fresh}: ${JSON.stringify(found)}`);
  }
  return { steady: stats(steady), put: stats(put), after: stats(after), count };
}
