import os from 'node:os';
import { paths, targets, uploadSuccess } from '../config.js';
import { runCannon } from '../load/cannon.js';
import { UploadBody } from '../multipart.js';
import { startLingo, startReceive, type ServerChild } from '../servers.js';
import type { RunStats } from '../stats.js';
import {
  alternate,
  clientBoundNote,
  cpuNote,
  idleRssMb,
  startPair,
  summarise,
  type Scenario,
  type ScenarioContext,
  type ScenarioResult,
} from './common.js';

interface UploadScenario {
  id: string;
  title: string;
  image: (ctx: ScenarioContext) => Buffer;
  name: string;
  connections: number;
  durationS: (ctx: ScenarioContext) => number;
  /** Which figure the target compares, and the least lingo / receive ratio that passes. */
  metric: 'req/s' | 'MB/s';
  minRatio: number;
}

/** Closed-loop upload throughput, lingo-server vs the receive baseline, same bodies, same client. */
function uploadThroughput(s: UploadScenario): Scenario {
  return async (ctx) => {
    const [lingo, receive] = await startPair(startLingo(1), startReceive());
    try {
      const idle = { lingo: idleRssMb(lingo), receive: idleRssMb(receive) };
      const body = new UploadBody(s.image(ctx), s.name);
      const headers = { Authorization: `Bearer ${lingo.tokens[0]}` };
      const load = (server: ServerChild, durationS: number): Promise<RunStats> =>
        runCannon({ server, connections: s.connections, durationS, path: paths.upload, headers, upload: body, expectInBody: uploadSuccess });
      const runs = await alternate(
        ctx,
        ctx.mode.rounds,
        { label: 'lingo-server', warmup: () => load(lingo, ctx.mode.warmupS), run: () => load(lingo, s.durationS(ctx)) },
        { label: 'receive', warmup: () => load(receive, ctx.mode.warmupS), run: () => load(receive, s.durationS(ctx)) },
      );
      const l = summarise(lingo, runs.a, idle.lingo, runs.discarded.a);
      const b = summarise(receive, runs.b, idle.receive, runs.discarded.b);
      const pick = (r: RunStats): number => (s.metric === 'req/s' ? r.reqPerSec : r.mbPerSec);
      const ratio = pick(l.median) / pick(b.median);
      // Proof that every acknowledged upload was written: one distinct blob per success. A run
      // ends with up to `connections` requests in flight, which the server may still store.
      const lingoRuns = [runs.warmup.a, ...runs.a, ...runs.discarded.a];
      const acknowledged = lingoRuns.reduce((n, r) => n + r.ok, 0);
      const blobs = lingo.blobCount();
      const unique = blobs >= acknowledged && blobs <= acknowledged + s.connections * lingoRuns.length;
      const notes = [
        unique
          ? `lingo-server acknowledged ${acknowledged} uploads (warm-up and repeated runs included) and holds ${blobs} distinct blobs ` +
            '(the excess: requests in flight when runs ended): no write was deduplicated away.'
          : `lingo-server acknowledged ${acknowledged} uploads but holds ${blobs} distinct blobs: CHECK the unique-body logic.`,
        cpuNote(l),
        cpuNote(b),
        clientBoundNote(l, os.cpus().length),
        clientBoundNote(b, os.cpus().length),
      ];
      const result: ScenarioResult = {
        id: s.id,
        title: s.title,
        lingo: l,
        baseline: b,
        headline: {
          metric: `${s.metric}, median of ${ctx.mode.rounds}`,
          lingo: pick(l.median),
          baseline: pick(b.median),
          ratio,
          target: `≥ ${s.minRatio}× receive`,
          pass: ratio >= s.minRatio,
        },
        notes: notes.filter((n): n is string => n !== undefined),
      };
      return result;
    } finally {
      await Promise.all([lingo.stop(), receive.stop()]);
    }
  };
}

export const smallUploads = uploadThroughput({
  id: 'small-uploads',
  title: 'Small uploads: ~50 KB 800×600 JPEG, 32 connections',
  image: (ctx) => ctx.images.smallJpeg,
  name: 'bench.jpg',
  connections: 32,
  durationS: (ctx) => ctx.mode.smallUploadS,
  metric: 'req/s',
  minRatio: targets.smallUploadsMinRatio,
});

export const largeUploads = uploadThroughput({
  id: 'large-uploads',
  title: 'Large uploads: ~9 MB 4096×4096 PNG, 8 connections',
  image: (ctx) => ctx.images.largePng,
  name: 'bench.png',
  connections: 8,
  durationS: (ctx) => ctx.mode.largeUploadS,
  metric: 'MB/s',
  minRatio: targets.largeUploadsMinRatio,
});
