/**
 * Crash test: `npm run crash-test [-- --rounds N --concurrency C] [--backend embedded|pg-s3] [--keep]`.
 *
 * Runs real servers as child processes (`src/main.ts serve`), keeps C requests in flight against
 * them (uploads, and Lingo entity creates that reference acknowledged uploads), kills one with
 * SIGKILL at a random moment, restarts it on the same stores, and repeats.
 * The default backend is one embedded server (SQLite + files); `--backend pg-s3` runs two servers
 * on a fresh PostgreSQL schema + S3 bucket + Redis (LINGO_TEST_POSTGRES_URL, LINGO_TEST_S3_ENDPOINT,
 * LINGO_TEST_REDIS_URL), spreads the uploads over both and kills them in turn while the other
 * keeps serving. Then it checks what docs/reliability.md promises:
 *   - every upload acknowledged with a file_token downloads byte-identical, after every crash,
 *     from every instance;
 *   - every entity acknowledged with an id reads back whole (main key, aliases, description,
 *     images, outer_info) by id and by outer_info, and no entity anywhere is half-written: each
 *     one listed is exactly a body that was sent, acknowledged or cut off by the kill;
 *   - no row points at a missing or damaged blob (`fsck --json`: 0 problems);
 *   - what crashes leave behind is only temp files and unreferenced blobs, which
 *     `gc --grace-seconds 0` removes (after which fsck is still clean and no temp file remains);
 *   - a valid upload or entity create to a live server never gets anything but 200.
 * Prints `crash-test: N rounds, M acknowledged, K verified, L lost; entities: E acknowledged,
 * V verified, 0 lost, 0 torn` and exits 1 on any violation.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { allFormats, makeImage } from '../test/fixtures/images.js';
import { backendNames, embeddedBackend, pgS3Backend, pgS3Services, type BackendName, type CrashBackend } from './crash-backends.js';
import { multipart } from '../test/helpers/http.js';

const root = path.resolve(import.meta.dirname, '..');
const mainTs = path.join(root, 'src', 'main.ts');

interface Options {
  rounds: number;
  concurrency: number;
  keep: boolean;
  backend: BackendName;
}

function parseArgs(argv: string[]): Options {
  const opts: Options = { rounds: 30, concurrency: 24, keep: false, backend: 'embedded' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isSafeInteger(n) || n < 1) usage(`${arg} needs a whole number ≥ 1`);
      return n;
    };
    if (arg === '--rounds') opts.rounds = value();
    else if (arg === '--concurrency') opts.concurrency = value();
    else if (arg === '--keep') opts.keep = true;
    else if (arg === '--backend') {
      const name = argv[++i];
      if (!backendNames.includes(name as BackendName)) usage(`--backend needs one of ${backendNames.join(', ')}`);
      opts.backend = name as BackendName;
    } else usage(`unknown argument ${arg}`);
  }
  return opts;
}

function usage(why: string): never {
  process.stderr.write(`crash-test: ${why}\nusage: crash-test [--rounds N] [--concurrency C] [--backend ${backendNames.join('|')}] [--keep]\n`);
  process.exit(2);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- child processes

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', mainTs, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Server {
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
  /** Set just before the kill: a request that fails after it was cut off, not refused. */
  killed: boolean;
}

/** Servers not yet exited: killed if the test itself fails, so none outlives it. */
const running = new Set<ChildProcess>();
/** The stores of this run, named in the failure message. */
let stores: CrashBackend | undefined;

function startServer(flags: string[]): Promise<Server> {
  const args = ['serve', '--port', '0', '--log-level', 'silent', ...flags];
  const child = spawn(process.execPath, ['--import', 'tsx', mainTs, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      running.delete(child);
      r(code);
    }),
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within 20 s\n${out}${err}`));
    }, 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on http:\/\/[^\s]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), exited, killed: false });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening\n${out}${err}`));
    });
  });
}

// ---------------------------------------------------------------- HTTP

interface Reply {
  status: number;
  body: Buffer;
}

function call(port: number, method: string, urlPath: string, headers: Record<string, string | number>, body?: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

async function tenantToken(port: number, creds: { app_id: string; app_secret: string }): Promise<string> {
  const body = Buffer.from(JSON.stringify({ app_id: creds.app_id, app_secret: creds.app_secret }));
  const res = await call(
    port,
    'POST',
    '/open-apis/auth/v3/tenant_access_token/internal',
    { 'Content-Type': 'application/json', 'Content-Length': body.length },
    body,
  );
  const json = JSON.parse(res.body.toString()) as { tenant_access_token?: string };
  if (!json.tenant_access_token) throw new Error(`no tenant token: ${res.body.toString()}`);
  return json.tenant_access_token;
}

// ---------------------------------------------------------------- the test

/** An acknowledged upload: what must come back, byte for byte. */
interface Ack {
  base: number;
  tail: Buffer;
}

/** An entity create as sent (acknowledged or not): what the entity must be, if it exists at all. */
interface EntitySent {
  mainKey: string;
  aliases: string[];
  description: string;
  images: string[];
  outerId: string;
}

const entityProvider = 'crashtest';

function entityBody(e: EntitySent): Buffer {
  const term = (key: string) => ({ key, display_status: { allow_highlight: true, allow_search: true } });
  return Buffer.from(
    JSON.stringify({
      main_keys: [term(e.mainKey)],
      aliases: e.aliases.map(term),
      description: e.description,
      related_meta: { images: e.images.map((token) => ({ token })) },
      outer_info: { provider: entityProvider, outer_id: e.outerId },
    }),
  );
}

/** '' when the entity the server returned is exactly the one sent; otherwise both, to print. */
function entityMismatch(got: Record<string, any> | undefined, e: EntitySent): string {
  const have = {
    mainKeys: (got?.main_keys as { key: string }[] | undefined)?.map((t) => t.key),
    aliases: (got?.aliases as { key: string }[] | undefined)?.map((t) => t.key),
    description: got?.description as unknown,
    images: (got?.related_meta?.images as { token: string }[] | undefined)?.map((i) => i.token),
    outerInfo: got?.outer_info ? [got.outer_info.provider as unknown, got.outer_info.outer_id as unknown] : undefined,
  };
  const want = { mainKeys: [e.mainKey], aliases: e.aliases, description: e.description, images: e.images, outerInfo: [entityProvider, e.outerId] };
  return JSON.stringify(have) === JSON.stringify(want) ? '' : `got ${JSON.stringify(have)}, sent ${JSON.stringify(want)}`;
}

async function openBackend(opts: Options): Promise<CrashBackend> {
  if (opts.backend === 'embedded') return embeddedBackend();
  const urls = pgS3Services(process.env);
  if (Array.isArray(urls)) {
    process.stderr.write(`crash-test: --backend pg-s3 needs ${urls.join(', ')} (run scripts/services.sh start)\n`);
    process.exit(2);
  }
  return pgS3Backend(urls, 2);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const backend = await openBackend(opts);
  stores = backend;
  const instances = backend.dataDirs.length;
  const violations: string[] = [];
  const violation = (what: string): void => {
    if (violations.length < 50) violations.push(what);
    else if (violations.length === 50) violations.push('… (more)');
  };

  // A few base images; each upload appends random bytes after the logical end, so every upload is
  // a distinct blob and a mixed-up or torn blob cannot pass for the right one.
  const bases = await Promise.all(allFormats.map((f) => makeImage(f, 320 + randomInt(64), 320 + randomInt(64))));
  const expected = (a: Ack): Buffer => Buffer.concat([bases[a.base]!, a.tail]);

  // exempt_review: uploads, downloads and entity creates (spec §0).
  const created = await cli(['app', 'create', '--name', 'crash-test', '--scopes', 'baike:entity:exempt_review', '--json', ...backend.storeFlags(0)]);
  if (created.code !== 0) throw new Error(`app create failed: ${created.stderr}`);
  const creds = JSON.parse(created.stdout) as { app_id: string; app_secret: string };

  const acked = new Map<string, Ack>();
  let attempts = 0;
  let cutOff = 0;
  let verified = 0;
  const verifiedTokens = new Set<string>();
  /** Acknowledged file tokens, for entity creates to reference. */
  const ackedTokens: string[] = [];
  /** Every entity create attempted, by main key; acknowledged ones by entity id. */
  const sentEntities = new Map<string, EntitySent>();
  const ackedEntities = new Map<string, EntitySent>();
  const verifiedEntities = new Set<string>();
  let entityAttempts = 0;
  let torn = 0;

  /** Downloads each token from `port` and compares. */
  async function verify(port: number, token: string, tokens: string[]): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < tokens.length) {
          const fileToken = tokens[next++]!;
          const res = await call(port, 'GET', `/open-apis/lingo/v1/files/${fileToken}/download`, { Authorization: `Bearer ${token}` }).catch((err: Error) => ({
            status: 0,
            body: Buffer.from(err.message),
          }));
          if (res.status !== 200) violation(`acknowledged ${fileToken}: download on :${port} answered ${res.status} ${res.body.toString().slice(0, 200)}`);
          else if (!res.body.equals(expected(acked.get(fileToken)!))) violation(`acknowledged ${fileToken}: bytes differ on :${port}`);
          else if (!verifiedTokens.has(fileToken)) {
            verifiedTokens.add(fileToken);
            verified++;
          }
        }
      }),
    );
  }

  /** Reads each acknowledged entity from `port` by id and by outer_info, and compares it with what was sent. */
  async function verifyEntities(port: number, token: string, ids: string[]): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          const sent = ackedEntities.get(id)!;
          const byId = await getJson(port, token, `/open-apis/lingo/v1/entities/${id}`);
          const query = `provider=${entityProvider}&outer_id=${encodeURIComponent(sent.outerId)}`;
          const byOuter = await getJson(port, token, `/open-apis/lingo/v1/entities/enterprise_0?${query}`);
          const mismatch = entityMismatch(byId?.data?.entity, sent);
          if (!byId || byId.code !== 0) violation(`acknowledged entity ${id}: get on :${port} answered ${JSON.stringify(byId).slice(0, 200)}`);
          else if (mismatch) violation(`acknowledged entity ${id} on :${port}: ${mismatch}`);
          else if (byOuter?.data?.entity?.id !== id)
            violation(`acknowledged entity ${id}: its outer_info on :${port} gives ${JSON.stringify(byOuter).slice(0, 200)}`);
          else verifiedEntities.add(id);
        }
      }),
    );
  }

  /** Lists every entity on `port`: each must be exactly a body that was sent (none half-written). */
  async function checkNoneTorn(port: number, token: string): Promise<void> {
    let pageToken: string | undefined;
    for (let page = 0; page < 10_000; page++) {
      const query = `page_size=100${pageToken ? `&page_token=${encodeURIComponent(pageToken)}` : ''}`;
      const res = await getJson(port, token, `/open-apis/lingo/v1/entities?${query}`);
      if (!res || res.code !== 0) return violation(`entity list on :${port} answered ${JSON.stringify(res).slice(0, 200)}`);
      for (const entity of (res.data?.entities ?? []) as Record<string, any>[]) {
        const sent = sentEntities.get(entity.main_keys?.[0]?.key as string);
        const mismatch = sent ? entityMismatch(entity, sent) : `main key never sent: ${JSON.stringify(entity).slice(0, 200)}`;
        if (mismatch) {
          torn++;
          violation(`entity ${entity.id as string} on :${port} is not a body that was sent: ${mismatch}`);
        }
      }
      if (!res.data?.has_more) return;
      pageToken = res.data.page_token as string;
    }
  }

  const servers: (Server | undefined)[] = new Array<Server | undefined>(instances).fill(undefined);
  let lastRound: string[] = [];
  let lastRoundEntities: string[] = [];
  for (let round = 1; round <= opts.rounds; round++) {
    // Restart what the previous round killed (round 1: start them all).
    const restarted: Server[] = [];
    for (let i = 0; i < instances; i++) {
      if (servers[i]) continue;
      servers[i] = await startServer(backend.serveFlags(i));
      restarted.push(servers[i]!);
    }
    const live = [...servers] as Server[];
    const token = await tenantToken(live[0]!.port, creds);
    // What the previous crash interrupted must not have cost an acknowledged upload.
    for (const server of restarted) {
      await verify(server.port, token, lastRound);
      await verifyEntities(server.port, token, lastRoundEntities);
      await checkNoneTorn(server.port, token);
    }
    lastRound = [];
    lastRoundEntities = [];

    /** One entity create referencing up to three acknowledged uploads. */
    const createEntity = async (server: Server): Promise<void> => {
      const n = entityAttempts++;
      const images = new Set(Array.from({ length: randomInt(1, 4) }, () => ackedTokens[randomInt(ackedTokens.length)]!));
      const sent: EntitySent = {
        mainKey: `crash r${round} e${n}`,
        aliases: Array.from({ length: randomInt(4) }, (_, j) => `crash r${round} e${n} alias ${j}`),
        description: `entity ${n} of round ${round}: ${randomBytes(8).toString('hex')}`,
        images: [...images],
        outerId: `r${round}e${n}`,
      };
      sentEntities.set(sent.mainKey, sent);
      const body = entityBody(sent);
      let res: Reply;
      try {
        const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': body.length };
        res = await call(server.port, 'POST', '/open-apis/lingo/v1/entities', headers, body);
      } catch (err) {
        if (server.killed) cutOff++;
        else violation(`round ${round}: a valid entity create on the live server :${server.port} failed: ${(err as Error).message}`);
        return;
      }
      const json = safeJson(res.body);
      const id = res.status === 200 && json?.code === 0 ? (json.data?.entity?.id as string | undefined) : undefined;
      if (!id) {
        // The field violations say what was refused; the rest of an error body is noise here.
        const why = JSON.stringify(json?.error?.field_violations ?? json ?? res.body.toString().slice(0, 200));
        return violation(`round ${round}: a valid entity create on :${server.port} answered ${res.status} ${json?.code as string}: ${why}`);
      }
      const mismatch = entityMismatch(json?.data?.entity, sent);
      if (mismatch) violation(`round ${round}: entity create on :${server.port} answered another entity: ${mismatch}`);
      ackedEntities.set(id, sent);
      lastRoundEntities.push(id);
    };

    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop) {
        const up = live.filter((s) => !s.killed);
        if (up.length === 0) return;
        const server = up[randomInt(up.length)]!;
        // A third of the requests are entity creates, once there are uploads to reference.
        if (ackedTokens.length > 0 && randomInt(3) === 0) {
          await createEntity(server);
          continue;
        }
        const ack: Ack = { base: randomInt(bases.length), tail: randomBytes(randomInt(16, 8192)) };
        const { body, contentType } = multipart([
          { name: 'name', data: `crash-${round}-${attempts}.img` },
          { name: 'file', data: expected(ack), contentType: 'application/octet-stream' },
        ]);
        attempts++;
        let res: Reply;
        try {
          res = await call(
            server.port,
            'POST',
            '/open-apis/lingo/v1/files/upload',
            {
              Authorization: `Bearer ${token}`,
              'Content-Type': contentType,
              'Content-Length': body.length,
            },
            body,
          );
        } catch (err) {
          // The kill landed while this upload was in flight: not acknowledged, no promise made.
          if (server.killed) cutOff++;
          else violation(`round ${round}: a valid upload to the live server :${server.port} failed: ${(err as Error).message}`);
          continue;
        }
        const json = safeJson(res.body);
        const fileToken = res.status === 200 && json?.code === 0 ? (json.data?.file_token as string | undefined) : undefined;
        if (!fileToken) {
          violation(`round ${round}: a valid upload to :${server.port} answered ${res.status} ${res.body.toString().slice(0, 200)}`);
          continue;
        }
        acked.set(fileToken, ack);
        ackedTokens.push(fileToken);
        lastRound.push(fileToken);
      }
    };
    const workers = Array.from({ length: opts.concurrency }, worker);
    await sleep(randomInt(100, 1500));
    // Kill one instance (in turn); the others keep taking uploads for a moment after the kill.
    const victim = (round - 1) % instances;
    live[victim]!.killed = true;
    live[victim]!.child.kill('SIGKILL');
    await live[victim]!.exited;
    servers[victim] = undefined;
    if (instances > 1) await sleep(randomInt(100, 500));
    stop = true;
    await Promise.all(workers);
  }

  // Offline checks on what the crashes left: the survivors stop gracefully first.
  for (let i = 0; i < instances; i++) {
    const survivor = servers[i];
    if (!survivor) continue;
    survivor.child.kill('SIGTERM');
    const code = await survivor.exited;
    if (code !== 0) violation(`SIGTERM of the surviving instance ${i}: exited with ${code}`);
    servers[i] = undefined;
  }
  const fsck1 = await fsckJson(backend.storeFlags(0), violation);
  const tempBefore = backend.tempFiles();
  // Each instance's gc sweeps its own spool; the shared blobs are swept by the first.
  const gcTotals = { tempFilesRemoved: 0, blobsRemoved: 0 };
  for (let i = 0; i < instances; i++) {
    const gcRun = await cli(['gc', '--grace-seconds', '0', '--json', ...backend.storeFlags(i)]);
    if (gcRun.code !== 0) violation(`gc exited ${gcRun.code}: ${gcRun.stderr}`);
    const report = safeJson(Buffer.from(gcRun.stdout)) ?? {};
    gcTotals.tempFilesRemoved += Number(report.tempFilesRemoved ?? NaN);
    gcTotals.blobsRemoved += Number(report.blobsRemoved ?? NaN);
  }
  const fsck2 = await fsckJson(backend.storeFlags(0), violation);
  if (fsck2 && fsck2.unreferencedBlobs !== 0) violation(`after gc, ${fsck2.unreferencedBlobs} unreferenced blobs remain`);
  if (backend.tempFiles() !== 0) violation(`after gc, ${backend.tempFiles()} temp files remain`);
  if (fsck2 && fsck2.filesChecked < acked.size) violation(`fsck saw ${fsck2.filesChecked} rows, fewer than the ${acked.size} acknowledged`);

  // Every acknowledged upload from every instance, after all the crashes and the gc, then a graceful stop.
  for (let i = 0; i < instances; i++) {
    const server = await startServer(backend.serveFlags(i));
    const token = await tenantToken(server.port, creds);
    await verify(server.port, token, [...acked.keys()]);
    await verifyEntities(server.port, token, [...ackedEntities.keys()]);
    await checkNoneTorn(server.port, token);
    server.child.kill('SIGTERM');
    const code = await server.exited;
    if (code !== 0) violation(`SIGTERM: instance ${i} exited with ${code}`);
  }

  const lost = acked.size - verified;
  const entitiesLost = ackedEntities.size - verifiedEntities.size;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `crash-test: ${opts.rounds} rounds, ${acked.size} acknowledged, ${verified} verified, ${lost} lost; ` +
      `entities: ${ackedEntities.size} acknowledged, ${verifiedEntities.size} verified, ${entitiesLost} lost, ${torn} torn ` +
      `(backend ${backend.name}, ${instances} instance${instances > 1 ? 's' : ''}; ${attempts} uploads and ${entityAttempts} entity creates attempted, ${cutOff} cut off by a kill; ` +
      `left by crashes: ${tempBefore} temp files, ${fsck1?.unreferencedBlobs ?? '?'} unreferenced blobs; ` +
      `gc removed ${gcTotals.tempFilesRemoved} + ${gcTotals.blobsRemoved}; ${secs} s)`,
  );
  if (violations.length > 0 || lost > 0 || entitiesLost > 0 || torn > 0) {
    console.error(`crash-test: FAILED, kept: ${backend.where()}`);
    for (const v of violations) console.error('  ' + v);
    process.exit(1);
  }
  if (opts.keep) console.log(`kept: ${backend.where()}`);
  else await backend.remove();
}

interface FsckReport {
  filesChecked: number;
  problems: unknown[];
  unreferencedBlobs: number;
}

async function fsckJson(storeFlags: string[], violation: (what: string) => void): Promise<FsckReport | undefined> {
  const res = await cli(['fsck', '--json', ...storeFlags]);
  const report = safeJson(Buffer.from(res.stdout)) as FsckReport | undefined;
  if (res.code !== 0 || !report) violation(`fsck exited ${res.code}: ${res.stdout.slice(0, 500)} ${res.stderr.slice(0, 500)}`);
  else if (report.problems.length > 0) violation(`fsck: ${JSON.stringify(report.problems.slice(0, 5))}`);
  return report;
}

/** A JSON GET with the tenant token; undefined when the request or its body fails. */
async function getJson(port: number, token: string, urlPath: string): Promise<Record<string, any> | undefined> {
  const res = await call(port, 'GET', urlPath, { Authorization: `Bearer ${token}` }).catch(() => undefined);
  return res && safeJson(res.body);
}

function safeJson(buf: Buffer): Record<string, any> | undefined {
  try {
    return JSON.parse(buf.toString('utf8')) as Record<string, any>;
  } catch {
    return undefined;
  }
}

main().catch((err: unknown) => {
  console.error('crash-test: error:', err instanceof Error ? err.stack : err);
  for (const child of running) child.kill('SIGKILL');
  if (stores) console.error(`crash-test: kept: ${stores.where()}`);
  process.exit(1);
});
