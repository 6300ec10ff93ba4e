import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../helpers/free-port.js';

const pgBin = process.env.LINGO_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** Why a throwaway cluster cannot be started here, or undefined when it can. */
export function throwawayClusterUnavailable(): string | undefined {
  if (!fs.existsSync(path.join(pgBin, 'initdb'))) return `no PostgreSQL binaries in ${pgBin} (set LINGO_PG_BIN)`;
  if (process.getuid?.() !== 0) return 'needs root, to run the server as the postgres user';
  return undefined;
}

export interface ThrowawayCluster {
  /** trust auth: any password in it is accepted and ignored. */
  url(password?: string): string;
  start(): void;
  /** `pg_ctl stop -m immediate`: every backend killed, as in a crash or a failover. */
  stop(): void;
  /** SIGSTOP (true) or SIGCONT (false) to the server and its backends: a server that accepts but never answers. */
  freeze(frozen: boolean): void;
  remove(): void;
}

/**
 * A PostgreSQL 15 cluster of its own on a free loopback port, for tests that stop and start the
 * server (the shared one must stay up). fsync off (it holds test rows only), but commits stay
 * synchronous: an immediate stop must not lose what was acknowledged.
 */
export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lingo-pgx-'));
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
  fs.chownSync(dir, uid, gid);
  const data = path.join(dir, 'data');
  const asPostgres = (tool: string, args: string[]): void =>
    void execFileSync('runuser', ['-u', 'postgres', '--', path.join(pgBin, tool), ...args], { stdio: 'pipe' });
  asPostgres('initdb', ['-D', data, '-U', 'lingo', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=40`;
  let running = false;
  const serverPids = (): number[] => {
    const postmaster = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(postmaster)], { encoding: 'utf8' });
    return [
      postmaster,
      ...children
        .split('\n')
        .filter((l) => l.trim())
        .map(Number),
    ];
  };
  const cluster: ThrowawayCluster = {
    url: (password) => `postgres://lingo${password ? `:${password}` : ''}@127.0.0.1:${port}/postgres`,
    start() {
      asPostgres('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-o', options, '-w', 'start']);
      running = true;
    },
    stop() {
      asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      running = false;
    },
    freeze(frozen) {
      for (const pid of serverPids()) process.kill(pid, frozen ? 'SIGSTOP' : 'SIGCONT');
    },
    remove() {
      if (running) {
        cluster.freeze(false);
        cluster.stop();
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
