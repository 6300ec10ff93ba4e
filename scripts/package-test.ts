/**
 * The packaging test (`npm run test:package`; `.ci/run` runs it after `npm test`): what a user
 * gets from `npm install -g lingo-server` and `npx lingo-server` works.
 *
 * 1. `npm pack`: the tarball holds the bin, dist/ and npm-shrinkwrap.json, no sources, tests or
 *    source maps, and the checkout keeps no shrinkwrap.
 * 2. `npm install -g --prefix <tmp>` from a loopback registry that serves only that tarball
 *    (scripts/package-test/local-registry.ts): the dependencies come from the npm cache that
 *    `npm ci` filled, so no network is needed. better-sqlite3's install script runs as it does for
 *    a user, but finds this checkout's compiled binary as a local prebuild instead of downloading
 *    one (or building for ~80 s); LINGO_PACKAGE_TEST_FROM_SOURCE=1 makes it build from source.
 * 3. The installed bin: `--help` and `--version`; `serve` on a free port with a fresh data dir (its first-run
 *    app), up on /healthz; the client `upload` of one image, and `download` of it, byte for
 *    byte; SIGTERM exits 0.
 * 4. `npx lingo-server --help` through the same registry (its install is removed afterwards).
 *
 * The last line is the summary; the exit status is 1 when any step failed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeImage } from '../test/fixtures/images.js';
import { startLocalRegistry, type LocalRegistry, type PackedManifest } from './package-test/local-registry.js';
import { collect, run, tail, waitFor } from './package-test/run.js';

const repoRoot = path.resolve(import.meta.dirname, '..');
const keep = process.env.LINGO_PACKAGE_TEST_KEEP === '1';
const fromSource = process.env.LINGO_PACKAGE_TEST_FROM_SOURCE === '1';
const started = Date.now();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-package-test-'));
const cleanups: Array<() => Promise<void> | void> = [];
let steps = 0;

/** npm's own settings only: `npm run` exports npm_config_* and npm_package_* to its scripts. */
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  process.stdout.write(`== ${name}\n`);
  const value = await fn();
  steps++;
  process.stdout.write(`   ok (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
  return value;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

async function pack(): Promise<{ tarball: string; manifest: PackedManifest }> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: repoRoot, env });
  const [report] = JSON.parse(stdout.slice(stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = report!.files.map((f) => f.path);
  for (const needed of [
    'package.json',
    'README.md',
    'CHANGELOG.md',
    'npm-shrinkwrap.json',
    'bin/lingo-server.cjs',
    'bin/process-tuning.cjs',
    'dist/main.js',
    'dist/sqlite/batch-writer-thread.js',
  ]) {
    check(files.includes(needed), `the package lacks ${needed}`);
  }
  const stray = files.filter((f) => /^(src|test|bench|scripts|docs)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts'));
  check(stray.length === 0, `the package holds files the runtime does not need: ${stray.slice(0, 5).join(', ')}`);
  check(!fs.existsSync(path.join(repoRoot, 'npm-shrinkwrap.json')), 'postpack left npm-shrinkwrap.json in the checkout');
  const tarball = path.join(tmp, report!.filename);
  const { stdout: packed } = await run('tar', ['-xzOf', tarball, 'package/package.json']);
  process.stdout.write(`   ${report!.filename}: ${files.length} files\n`);
  return { tarball, manifest: JSON.parse(packed) as PackedManifest };
}

/** This checkout's better-sqlite3 binary, named as prebuild-install looks for a local prebuild. */
async function localPrebuilds(): Promise<NodeJS.ProcessEnv> {
  if (fromSource) return {};
  const moduleDir = path.join(repoRoot, 'node_modules/better-sqlite3');
  const { version } = JSON.parse(fs.readFileSync(path.join(moduleDir, 'package.json'), 'utf8')) as { version: string };
  const libc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime ? '' : 'musl';
  const dir = path.join(tmp, 'prebuilds');
  fs.mkdirSync(dir);
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}${libc}-${process.arch}.tar.gz`;
  await run('tar', ['-czf', path.join(dir, name), '-C', moduleDir, 'build/Release/better_sqlite3.node']);
  return { npm_config_better_sqlite3_local_prebuilds: dir };
}

async function installGlobally(registry: LocalRegistry, prebuildEnv: NodeJS.ProcessEnv): Promise<string> {
  const prefix = path.join(tmp, 'prefix');
  const args = ['install', '--global', '--prefix', prefix, '--registry', registry.url, '--no-audit', '--no-fund', 'lingo-server'];
  await run('npm', args, { cwd: tmp, env: { ...env, ...prebuildEnv } });
  const installed = path.join(prefix, 'lib/node_modules/lingo-server/node_modules');
  const devOnly = ['vitest', 'typescript', 'eslint', 'tsx'].filter((m) => fs.existsSync(path.join(installed, m)));
  check(devOnly.length === 0, `dev dependencies were installed: ${devOnly.join(', ')}`);
  process.stdout.write(`   registry requests for other packages (404, expected): ${registry.unknownRequests.length}\n`);
  return path.join(prefix, 'bin/lingo-server');
}

/** `--help` through `runner` (the installed bin, or npx) lists the server's and the client's commands. */
async function help(runner: (args: string[]) => Promise<{ stdout: string }>): Promise<void> {
  const { stdout } = await runner(['--help']);
  for (const command of ['serve', 'upload', 'download', 'import', 'migrate']) check(stdout.includes(command), `--help does not list ${command}:\n${stdout}`);
}

interface Served {
  base: string;
  appId: string;
  appSecret: string;
}

/** `serve` on a free port and an empty data dir; resolves once /healthz answers 200. */
async function serve(bin: string): Promise<Served> {
  const child = spawn(bin, ['serve', '--port', '0', '--data-dir', path.join(tmp, 'data')], { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = collect(child);
  const closed = new Promise<number | null>((resolve) => child.once('close', resolve));
  cleanups.push(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const status = await closed;
    check(status === 0, `serve exited with ${status} on SIGTERM:\n${tail(output.stderr())}`);
    process.stdout.write('   serve stopped on SIGTERM with status 0\n');
  });
  const banner = await waitFor('serve to print its address', 30_000, async () => {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}:\n${tail(output.stderr())}`);
    const text = output.stdout();
    const port = /listening on http:\/\/\S+:(\d+)/.exec(text)?.[1];
    const appId = /app_id:\s+(\S+)/.exec(text)?.[1];
    const appSecret = /app_secret:\s+(\S+)/.exec(text)?.[1];
    return port && appId && appSecret ? { base: `http://127.0.0.1:${port}`, appId, appSecret } : undefined;
  });
  await waitFor('/healthz', 10_000, async () => ((await fetch(`${banner.base}/healthz`).catch(() => undefined))?.status === 200 ? true : undefined));
  return banner;
}

async function uploadAndDownload(bin: string, server: Served): Promise<void> {
  const images = path.join(tmp, 'images');
  fs.mkdirSync(images);
  const image = await makeImage('png', 400, 320);
  fs.writeFileSync(path.join(images, 'package-test.png'), image);
  const credentials = ['--server', server.base, '--app-id', server.appId, '--app-secret', server.appSecret];
  const manifestFile = path.join(tmp, 'manifest.json');
  const upload = await run(bin, ['upload', images, ...credentials, '--manifest', manifestFile], { cwd: tmp, env });
  process.stdout.write(`   ${tail(upload.stdout, 1)}\n`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Array<{ file_token?: string }>;
  const token = manifest[0]?.file_token;
  check(manifest.length === 1 && token !== undefined, `the manifest does not list one uploaded file: ${JSON.stringify(manifest)}`);
  const out = path.join(tmp, 'downloads');
  await run(bin, ['download', token!, ...credentials, '--out', out], { cwd: tmp, env });
  check(fs.readFileSync(path.join(out, 'package-test.png')).equals(image), 'the downloaded file differs from the uploaded one');
}

/** `npx lingo-server --help`, under a dist-tag of this run so that npx cannot reuse an earlier install. */
async function npx(registry: LocalRegistry, tag: string, prebuildEnv: NodeJS.ProcessEnv): Promise<void> {
  const { stdout: cacheOut } = await run('npm', ['config', 'get', 'cache'], { env });
  const npxDir = path.join(cacheOut.trim(), '_npx');
  const before = new Set(fs.existsSync(npxDir) ? fs.readdirSync(npxDir) : []);
  cleanups.push(() => {
    for (const entry of fs.existsSync(npxDir) ? fs.readdirSync(npxDir) : []) {
      if (!before.has(entry) && fs.existsSync(path.join(npxDir, entry, 'node_modules/lingo-server')))
        fs.rmSync(path.join(npxDir, entry), { recursive: true, force: true });
    }
  });
  const npxArgs = ['--yes', '--registry', registry.url, '--package', `lingo-server@${tag}`, 'lingo-server'];
  await help((args) => run('npx', [...npxArgs, ...args], { cwd: tmp, env: { ...env, ...prebuildEnv } }));
}

async function main(): Promise<void> {
  const { tarball, manifest } = await step('npm pack', pack);
  const prebuildEnv = await step(fromSource ? 'better-sqlite3: build from source' : 'better-sqlite3: local prebuild', localPrebuilds);
  const tag = `package-test-${process.pid}-${Date.now()}`;
  const registry = await startLocalRegistry(tarball, manifest, { latest: manifest.version, [tag]: manifest.version });
  cleanups.push(() => registry.close());
  const bin = await step(`npm install --global ${manifest.name}@${manifest.version} (from the npm cache)`, () => installGlobally(registry, prebuildEnv));
  await step('lingo-server --help, --version', async () => {
    await help((args) => run(bin, args, { env }));
    const { stdout } = await run(bin, ['--version'], { env });
    check(stdout.trim() === manifest.version, `--version printed ${stdout.trim()}, not ${manifest.version}`);
  });
  const server = await step('lingo-server serve (fresh data dir, free port, /healthz)', () => serve(bin));
  await step('lingo-server upload and download (client CLI)', () => uploadAndDownload(bin, server));
  await step('npx lingo-server --help', () => npx(registry, tag, prebuildEnv));
}

let failure: unknown;
try {
  await main();
} catch (err) {
  failure = err;
}
for (const cleanup of cleanups.reverse()) {
  try {
    await cleanup();
  } catch (err) {
    failure ??= err;
  }
}
if (keep) process.stdout.write(`kept ${tmp}\n`);
else fs.rmSync(tmp, { recursive: true, force: true });
const seconds = ((Date.now() - started) / 1000).toFixed(0);
if (failure) {
  process.stderr.write(`${failure instanceof Error ? failure.message : JSON.stringify(failure)}\n`);
  process.stdout.write(`package test: FAILED after ${steps} steps (${seconds} s)\n`);
  process.exit(1);
}
process.stdout.write(`package test: ${steps} steps passed (${seconds} s)\n`);
