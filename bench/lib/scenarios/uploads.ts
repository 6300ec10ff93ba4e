import os from 'node:os';
import { targets, uploadLoads } from '../config.js';
import { measureDisk, type DiskRun } from '../disk.js';
import { runUploads } from '../load/cannon.js';
import { UploadBody } from '../multipart.js';
import { requiredSteps } from '../baselines/steps.js';
import { startDurableReceive, startLingo, startReceive, type ServerChild } from '../servers.js';
import { breakdownNote, systemsNote } from '../server-metrics.js';
import { cpuUsPerRequest, MB, type RunStats } from '../stats.js';
import {
  alternate,
  clientBoundNote,
  cpuNote,
  idleRssMb,
  startAll,
  summarise,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
  type Side,
} from './common.js';
import { backendNotes, meteredSide, storedFilesNote, uploadOperation } from './lingo-sides.js';

interface UploadScenario {
  id: string;
  title: string;
  load: (typeof uploadLoads)[keyof typeof uploadLoads];
  durationS: (ctx: ScenarioContext) => number;
  /** Which figure the target compares, and the least lingo / receive ratio that passes. */
  metric: 'req/s' | 'MB/s';
  minRatio: number;
  /**
   * What sets the physical limit. `durable receive`: the baseline that receives and makes the
   * bytes durable, nothing else, over HTTP on the same cores (small uploads, where the CPU the
   * client, the kernel and the server share is the wall). `disk`: the disk alone, without HTTP
   * (large uploads, where the disk's bandwidth is the wall and the extra runs would cost time).
   */
  limit: 'durable receive' | 'disk';
  /** Also run the required-work floor (durable-receive with every step; bench/ladder.ts). */
  floor: boolean;
}

/**
 * Closed-loop upload throughput, lingo-server vs the receive baseline, same bodies, same client;
 * beside them, lingo-server on the stores of `--backend` (ctx.variants), each with its own apps.
 */
function uploadThroughput(s: UploadScenario): Scenario {
  return async (ctx) => {
    const [lingo, receive, durable, floor, ...others] = await startAll(
      startLingo(1),
      startReceive(),
      s.limit === 'durable receive' ? startDurableReceive() : undefined,
      s.floor ? startDurableReceive(requiredSteps) : undefined,
      ...ctx.variants.map((variant) => startLingo(1, [], { variant })),
    );
    try {
      const idle = { lingo: idleRssMb(lingo), receive: idleRssMb(receive), durable: durable ? idleRssMb(durable) : 0, floor: floor ? idleRssMb(floor) : 0 };
      const idleOthers = others.map(idleRssMb);
      const body = new UploadBody(ctx.images[s.load.image], s.load.name);
      // The baselines ignore the token; each lingo-server gets one of its own apps'.
      const load = (server: ServerChild, durationS: number, token = lingo.tokens[0]!): Promise<RunStats> =>
        runUploads({ server, upload: body, connections: s.load.connections, durationS, token });
      const side = (label: string, server: ServerChild, token?: string): Side => ({
        label,
        warmup: () => load(server, ctx.mode.warmupS, token),
        run: () => load(server, s.durationS(ctx), token),
      });
      const metered = [lingo, ...others].map((l) => meteredSide(l, uploadOperation, side(l.name, l, l.tokens[0])));
      const [lr, br, dr, fr, ...or] = await alternate(
        ctx,
        ctx.mode.rounds,
        metered[0]!.side,
        side('receive', receive),
        durable && side('durable', durable),
        floor && side('floor', floor),
        ...metered.slice(1).map((m) => m.side),
      );
      const breakdowns = await Promise.all(metered.map((m) => m.breakdown()));
      const l = summarise(lingo, lr.kept, idle.lingo, lr.discarded);
      const b = summarise(receive, br.kept, idle.receive, br.discarded);
      const d = durable && dr && summarise(durable, dr.kept, idle.durable, dr.discarded);
      const f = floor && fr && summarise(floor, fr.kept, idle.floor, fr.discarded);
      const o = others.map((server, i) => summarise(server, or[i]!.kept, idleOthers[i]!, or[i]!.discarded));
      const pick = (r: RunStats): number => (s.metric === 'req/s' ? r.reqPerSec : r.mbPerSec);
      const ratio = pick(l.median) / pick(b.median);
      const disk = d ? undefined : await diskCeiling(ctx, s, body);
      // The limit in the metric's unit: records/s, or MB/s of request body as lingo's is counted.
      const limitValue = d ? pick(d.median) : s.metric === 'req/s' ? disk!.recordsPerSec : (disk!.recordsPerSec * body.length) / MB;
      const targetValue = s.minRatio * pick(b.median);
      const what = s.metric === 'req/s' ? 'small upload' : 'large upload';
      const notes = [
        ...(await Promise.all([lingo, ...others].map((server, i) => storedFilesNote(server, [lr, ...or][i]!, s.load.connections)))),
        d ? durableNote(pick(l.median), pick(b.median), targetValue, limitValue) : diskNote(s, disk!, pick(l.median), targetValue, limitValue),
        f && floorNote(pick(l.median), pick(b.median), targetValue, pick(f.median)),
        d && cpuBudgetNote(l.median, d.median, targetValue, os.cpus().length),
        ...backendNotes(l, others, o, pick, s.metric),
        ...breakdowns.flatMap((x) => [breakdownNote(x, what), systemsNote(x, what)]),
        ...[l, b, d, f, ...o].flatMap((x) => (x ? [cpuNote(x), clientBoundNote(x, os.cpus().length)] : [])),
      ];
      const result: ScenarioResult = {
        id: s.id,
        title: s.title,
        lingo: l,
        baseline: b,
        ...(d && { limit: d }),
        ...(f && { floor: f }),
        ...(o.length > 0 ? { backends: o } : {}),
        breakdowns,
        headline: {
          metric: `${s.metric}, median of ${ctx.mode.rounds}`,
          lingo: pick(l.median),
          baseline: pick(b.median),
          ratio,
          target: `≥ ${s.minRatio}× receive`,
          pass: ratio >= s.minRatio,
          limit: { value: limitValue, source: s.limit, targetAttainable: targetValue <= limitValue },
          ...(f && { floor: { value: pick(f.median), targetAttainable: targetValue <= pick(f.median) } }),
        },
        notes: notes.filter((n): n is string => n !== undefined),
      };
      return result;
    } finally {
      await Promise.all([lingo.stop(), receive.stop(), durable?.stop(), floor?.stop(), ...others.map((x) => x.stop())]);
    }
  };
}

/**
 * The disk's durable-write ceiling for this scenario's bodies, one run per round (median), after
 * the servers' runs so that it never competes with them. Same filesystem as the data dir.
 */
async function diskCeiling(ctx: ScenarioContext, s: UploadScenario, body: UploadBody): Promise<DiskRun> {
  const kind = s.metric === 'req/s' ? 'small' : 'large';
  const runs: DiskRun[] = [];
  for (let round = 1; round <= ctx.mode.rounds; round++) {
    const r = await measureDisk({ kind, recordBytes: body.fileBytes, concurrency: s.load.connections, seconds: ctx.mode.diskS });
    ctx.log(
      `  round ${round}/${ctx.mode.rounds} ${'disk'.padEnd(12)} ${r.recordsPerSec.toFixed(0).padStart(6)} records/s ${r.mbPerSec.toFixed(1).padStart(7)} MB/s  ` +
        `p50 ${r.p50Ms.toFixed(1)} ms per ${kind === 'small' ? 'group' : 'file'}  (durable writes only: no HTTP, no parsing)`,
    );
    runs.push(r);
  }
  // The middle run (the upper one of two), so that its MB/s and p50 go with its rate.
  return [...runs].sort((a, b) => a.recordsPerSec - b.recordsPerSec)[runs.length >> 1]!;
}

function diskNote(s: UploadScenario, disk: DiskRun, lingoValue: number, targetValue: number, diskValue: number): string {
  const unit = s.metric === 'req/s' ? 'uploads/s' : 'MB/s';
  const f = (v: number): string => v.toLocaleString('en-US', { maximumFractionDigits: s.metric === 'req/s' ? 0 : 1 });
  const how =
    disk.kind === 'small'
      ? `appending ${s.load.connections} records of ${recordSize(disk)} to one file per fdatasync`
      : `writing ${s.load.connections} files of ${recordSize(disk)} at once, each fdatasynced`;
  const verdict =
    targetValue <= diskValue
      ? `the target (${f(targetValue)} ${unit}) is within that limit.`
      : `the target (${f(targetValue)} ${unit}) is ${(targetValue / diskValue).toFixed(1)}× that limit: no server that acknowledges only durable bytes can reach it on this disk.`;
  return `physical limit: the disk made ${f(diskValue)} ${unit} durable (${disk.mbPerSec.toFixed(0)} MB/s, ${how}); lingo-server reached ${((lingoValue / diskValue) * 100).toFixed(0)} % of it; ${verdict}`;
}

function durableNote(lingoValue: number, receiveValue: number, targetValue: number, limitValue: number): string {
  const f = (v: number): string => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const verdict =
    targetValue <= limitValue
      ? `the target (${f(targetValue)} uploads/s) is within that limit, with ${(((limitValue - targetValue) / limitValue) * 100).toFixed(0)} % of it left for validation, hashing, the index and the row.`
      : `the target (${f(targetValue)} uploads/s) is ${(targetValue / limitValue).toFixed(2)}× that limit: no server that acknowledges only durable uploads did as well here, even one that validates and records nothing.`;
  return (
    `physical limit: durable-receive (receive, plus each file appended with O_DSYNC in group writes before the answer; nothing else) ` +
    `made ${f(limitValue)} uploads/s durable over HTTP with the same client, ${(limitValue / receiveValue).toFixed(2)}× receive; ` +
    `lingo-server reached ${((lingoValue / limitValue) * 100).toFixed(0)} % of it; ${verdict}`
  );
}

function floorNote(lingoValue: number, receiveValue: number, targetValue: number, limitValue: number): string {
  const f = (v: number): string => v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  const verdict =
    targetValue <= limitValue
      ? `the target (${f(targetValue)} uploads/s) is within that floor, with ${(((limitValue - targetValue) / limitValue) * 100).toFixed(0)} % of it left for auth, routing, the upload rules, the index and the answer's headers.`
      : `the target (${f(targetValue)} uploads/s) is ${(targetValue / limitValue).toFixed(2)}× that floor: no server built from these parts met it here, whatever else it left out.`;
  return (
    `required-work floor: durable-receive plus lingo-server's walker, SHA-256, the row as a journal entry in the record and the row in SQLite ` +
    `(nothing else; bench/ladder.ts) made ${f(limitValue)} uploads/s, ${(limitValue / receiveValue).toFixed(2)}× receive; ` +
    `lingo-server reached ${((lingoValue / limitValue) * 100).toFixed(0)} % of it; ${verdict}`
  );
}

/**
 * Whether the cores could carry the target at all, from what each side used per upload in the
 * runs: at the target rate the client needs its share, and what is left of every core is the most
 * a server could spend per upload even if nothing else ran and no core ever idled.
 */
function cpuBudgetNote(lingo: RunStats, durable: RunStats, targetPerSec: number, cores: number): string {
  const client = cpuUsPerRequest(lingo.clientCpuPct, lingo.reqPerSec);
  const budget = (cores * 1e6 - targetPerSec * client) / targetPerSec;
  const ours = cpuUsPerRequest(lingo.serverCpuPct, lingo.reqPerSec);
  const floor = cpuUsPerRequest(durable.serverCpuPct, durable.reqPerSec);
  const f = (v: number): string => v.toFixed(0);
  return (
    `CPU budget: at the target's ${f(targetPerSec)} uploads/s on ${cores} cores the client needs ${f(client)} µs per upload (as measured against lingo-server), ` +
    `which leaves at most ${f(budget)} µs per upload for the server with every core busy all the time; lingo-server used ${f(ours)} µs (all its threads), ` +
    `durable-receive ${f(floor)} µs, so validation, hashing, the index, the row and auth have at most ${f(budget - floor)} µs and take ${f(ours - floor)} µs here.`
  );
}

const recordSize = (disk: DiskRun): string =>
  disk.recordBytes >= MB ? `${(disk.recordBytes / MB).toFixed(1)} MB` : `${Math.round(disk.recordBytes / 1000)} KB`;

export const smallUploads = uploadThroughput({
  id: 'small-uploads',
  title: `Small uploads: ~50 KB 800×600 JPEG, ${uploadLoads.small.connections} connections`,
  load: uploadLoads.small,
  durationS: (ctx) => ctx.mode.smallUploadS,
  metric: 'req/s',
  minRatio: targets.smallUploadsMinRatio,
  limit: 'durable receive',
  floor: true,
});

export const largeUploads = uploadThroughput({
  id: 'large-uploads',
  title: `Large uploads: ~9 MB 4096×4096 PNG, ${uploadLoads.large.connections} connections`,
  load: uploadLoads.large,
  durationS: (ctx) => ctx.mode.largeUploadS,
  metric: 'MB/s',
  minRatio: targets.largeUploadsMinRatio,
  limit: 'disk',
  floor: false,
});
