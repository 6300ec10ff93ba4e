/**
 * `npm run bench -- --profile [large]`: the small-uploads (or large-uploads) load against a
 * lingo-server child started with --cpu-prof, then a summary of where its CPU went (self and
 * inclusive time per function, self time per module). Written to
 * bench/results/profile-<small|large>-uploads.md; the raw .cpuprofile stays in /tmp/prof for
 * Chrome DevTools or speedscope.
 */
import fs from 'node:fs';
import path from 'node:path';
import { uploadLoads } from './config.js';
import { runUploads } from './load/cannon.js';
import { UploadBody } from './multipart.js';
import type { ScenarioContext } from './scenarios/common.js';
import { describe } from './scenarios/common.js';
import { repoRoot, startLingo } from './servers.js';

const profDir = '/tmp/prof';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  /** Microseconds since the previous sample. */
  timeDeltas: number[];
}

export interface ProfileRow {
  key: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  self: ProfileRow[];
  inclusive: ProfileRow[];
  modules: ProfileRow[];
}

function shortUrl(url: string): string {
  return url.replace(/^file:\/\//, '').replace(repoRoot + '/', '');
}

function functionKey(f: CallFrame): string {
  if (!f.url) return f.functionName || '(native)';
  return `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
}

/** Groups code by owner: a src/ file, an npm package, Node's internals or the VM itself. */
function moduleKey(f: CallFrame): string {
  const url = shortUrl(f.url);
  if (!url) return f.functionName.startsWith('(') ? f.functionName : '(native code)';
  if (url.startsWith('node:')) return 'node: internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm ${pkg[1]}`;
  return url;
}

function top(map: Map<string, number>, busyUs: number, count: number): ProfileRow[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, us]) => ({ key, ms: us / 1000, pct: (us / busyUs) * 100 }));
}

export function summariseProfile(profile: CpuProfile, count = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const modules = new Map<string, number>();
  let busyUs = 0;
  let idleUs = 0;
  const add = (m: Map<string, number>, k: string, us: number): void => void m.set(k, (m.get(k) ?? 0) + us);
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const leaf = byId.get(id);
    if (!leaf) return;
    if (leaf.callFrame.functionName === '(idle)') {
      idleUs += us;
      return;
    }
    busyUs += us;
    add(self, functionKey(leaf.callFrame), us);
    add(modules, moduleKey(leaf.callFrame), us);
    // Each function on the stack once, so recursion is not counted twice.
    const onStack = new Set<string>();
    for (let n: ProfileNode | undefined = leaf; n; n = byId.get(parent.get(n.id) ?? -1)) {
      if (n.callFrame.url.includes('/src/')) onStack.add(functionKey(n.callFrame));
    }
    for (const k of onStack) add(inclusive, k, us);
  });
  return {
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    self: top(self, busyUs, count),
    inclusive: top(inclusive, busyUs, count),
    modules: top(modules, busyUs, 15),
  };
}

function table(title: string, rows: ProfileRow[]): string {
  return [
    `### ${title}`,
    '',
    '| % of busy | ms | function / module |',
    '|---:|---:|---|',
    ...rows.map((r) => `| ${r.pct.toFixed(1)} | ${r.ms.toFixed(0)} | \`${r.key}\` |`),
    '',
  ].join('\n');
}

export async function profileUploads(ctx: ScenarioContext, kind: 'small' | 'large', resultsDir: string): Promise<void> {
  fs.mkdirSync(profDir, { recursive: true });
  const before = new Set(fs.readdirSync(profDir));
  const lingo = await startLingo(1, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
  const load = uploadLoads[kind];
  const body = new UploadBody(ctx.images[load.image], load.name);
  const { connections } = load;
  const durationS = ctx.mode.name === 'quick' ? 5 : 15;
  ctx.log(`profiling lingo-server (pid ${lingo.pid}) under ${kind} uploads, ${connections} connections, ${durationS} s`);
  const run = await runUploads({ server: lingo, upload: body, connections, durationS, token: lingo.tokens[0]! });
  ctx.log(`  ${describe(run)}`);
  // SIGTERM: lingo-server drains and exits normally, which is when Node writes the profile.
  await lingo.stop();
  // One file per thread (CPU.<date>.<time>.<pid>.<thread>.<seq>): thread 0 is the main thread;
  // the others are its SQLite writer threads.
  const name = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile') && f.includes(`.${lingo.pid}.0.`) && !before.has(f));
  if (!name) throw new Error(`no main-thread .cpuprofile for pid ${lingo.pid} in ${profDir}: did lingo-server exit cleanly?`);
  const file = path.join(profDir, name);
  const summary = summariseProfile(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile);
  const md = [
    `# CPU profile: lingo-server under ${kind} uploads`,
    '',
    `${run.reqPerSec.toFixed(0)} req/s (${run.mbPerSec.toFixed(1)} MB/s), ${connections} connections, ${durationS} s, ` +
      `server CPU ${run.serverCpuPct.toFixed(0)}% (all threads); profile ${file}; main thread busy ${summary.busyMs.toFixed(0)} ms, ` +
      `idle ${summary.idleMs.toFixed(0)} ms. File I/O and fsync run on the libuv pool and are not sampled, except the ` +
      'SQLite calls, which better-sqlite3 makes synchronously on the main thread. Line numbers are those of the JavaScript tsc ' +
      'compiled (.tmp/bench-build), not of the .ts sources.',
    '',
    table('Self time by module', summary.modules),
    table('Self time by function', summary.self),
    table('Inclusive time of src/ functions', summary.inclusive),
  ].join('\n');
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, `profile-${kind}-uploads.md`), md);
  ctx.log('\n' + md);
}
