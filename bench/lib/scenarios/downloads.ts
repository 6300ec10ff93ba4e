import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { paths, targets, uploadSuccess } from '../config.js';
import { runCannon } from '../load/cannon.js';
import { runWrk } from '../load/wrk.js';
import { UploadBody } from '../multipart.js';
import { startLingo, startServe, type LingoServer, type ServerChild } from '../servers.js';
import type { RunStats } from '../stats.js';
import { breakdownNote, systemsNote } from '../server-metrics.js';
import { alternate, clientBoundNote, cpuNote, idleRssMb, startAll, summarise, type Scenario, type Side } from './common.js';
import { backendNotes, downloadOperation, meteredSide } from './lingo-sides.js';

const connections = 32;

/** Uploads the small JPEG once and checks it downloads back byte for byte. */
async function seed(lingo: LingoServer, image: Buffer): Promise<{ fileToken: string; bytes: Buffer; contentType: string }> {
  const upload = new UploadBody(image, 'bench.jpg');
  const auth = { Authorization: `Bearer ${lingo.tokens[0]}` };
  const up = await fetch(lingo.baseUrl + paths.upload, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': upload.contentType },
    body: upload.nextCopy(),
  });
  const text = await up.text();
  const fileToken = /"file_token":"([^"]+)"/.exec(text)?.[1];
  if (!up.ok || !text.includes(uploadSuccess) || !fileToken) throw new Error(`seed upload failed: ${up.status} ${text}`);
  const down = await fetch(lingo.baseUrl + paths.download(fileToken), { headers: auth });
  const bytes = Buffer.from(await down.arrayBuffer());
  const contentType = down.headers.get('content-type') ?? '';
  if (down.status !== 200 || bytes.length < image.length || !bytes.subarray(0, image.length).equals(image)) {
    throw new Error(`seed download: status ${down.status}, ${bytes.length} bytes, not the uploaded image`);
  }
  return { fileToken, bytes, contentType };
}

/**
 * Small downloads, lingo-server vs the serve baseline on the same bytes. wrk drives both when it
 * is installed: autocannon decodes every response body into a JS string, which caps it far below
 * what either server can send of a 50 KB high-entropy body, whatever the server does.
 */
export const downloads: Scenario = async (ctx) => {
  const [lingo, ...others] = await startAll(startLingo(1), ...ctx.variants.map((variant) => startLingo(1, [], { variant })));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-bench-serve-'));
  let serve: ServerChild | undefined;
  try {
    const seeds = await Promise.all([lingo, ...others].map((l) => seed(l, ctx.images.smallJpeg)));
    const { bytes, contentType } = seeds[0]!;
    const file = path.join(tmp, 'bench.jpg');
    fs.writeFileSync(file, bytes);
    serve = await startServe(file, contentType);
    const idle = { lingo: idleRssMb(lingo), serve: idleRssMb(serve), others: others.map(idleRssMb) };
    const load = (server: ServerChild, durationS: number, token: string, fileToken: string): Promise<RunStats> => {
      const headers = { Authorization: `Bearer ${token}` };
      const urlPath = paths.download(fileToken);
      return ctx.wrk
        ? runWrk({ server, connections, threads: Math.min(2, os.cpus().length), durationS, path: urlPath, headers })
        : runCannon({ server, connections, durationS, path: urlPath, headers });
    };
    const side = (server: ServerChild, token: string, fileToken: string): Side => ({
      label: server.name,
      warmup: () => load(server, ctx.mode.warmupS, token, fileToken),
      run: () => load(server, ctx.mode.downloadS, token, fileToken),
    });
    const metered = [lingo, ...others].map((l, i) => meteredSide(l, downloadOperation, side(l, l.tokens[0]!, seeds[i]!.fileToken)));
    const [lr, sr, ...or] = await alternate(
      ctx,
      ctx.mode.rounds,
      metered[0]!.side,
      // serve ignores the token and the path.
      side(serve, lingo.tokens[0]!, seeds[0]!.fileToken),
      ...metered.slice(1).map((m) => m.side),
    );
    const breakdowns = await Promise.all(metered.map((m) => m.breakdown()));
    const l = summarise(lingo, lr.kept, idle.lingo, lr.discarded);
    const b = summarise(serve, sr.kept, idle.serve, sr.discarded);
    const o = others.map((server, i) => summarise(server, or[i]!.kept, idle.others[i]!, or[i]!.discarded));
    const ratio = l.median.reqPerSec / b.median.reqPerSec;
    const notes = [
      ctx.wrk
        ? `Driven by ${ctx.wrk} (${Math.min(2, os.cpus().length)} threads; one wrk per instance of a cluster, with half the connections and threads each), ` +
          "in its own process, sharing the machine's cores with the server."
        : 'wrk is not installed: driven by autocannon, whose per-response cost on a high-entropy 50 KB body ' +
          'caps it near 900 req/s here; the serve baseline shows that ceiling (install wrk for real figures).',
      ...backendNotes(l, others, o, (r) => r.reqPerSec, 'req/s'),
      ...breakdowns.flatMap((x) => [breakdownNote(x, 'download'), systemsNote(x, 'download')]),
      ...[l, b, ...o].flatMap((x) => [cpuNote(x), clientBoundNote(x, os.cpus().length)]),
    ];
    return {
      id: 'downloads',
      title: `Small downloads: the ~50 KB JPEG, ${connections} connections`,
      lingo: l,
      baseline: b,
      ...(o.length > 0 ? { backends: o } : {}),
      breakdowns,
      headline: {
        metric: `req/s, median of ${ctx.mode.rounds}`,
        lingo: l.median.reqPerSec,
        baseline: b.median.reqPerSec,
        ratio,
        target: `≥ ${targets.downloadsMinRatio}× serve`,
        pass: ratio >= targets.downloadsMinRatio,
      },
      notes: notes.filter((n): n is string => n !== undefined),
    };
  } finally {
    await Promise.all([lingo.stop(), serve?.stop(), ...others.map((x) => x.stop())]);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
};
