import type { MetaStore } from '../../meta/meta-store.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { sendJson } from '../respond.js';
import type { Route } from '../route.js';

/** Liveness: the process answers. */
export function healthzRoute(): Route {
  return {
    kind: 'public',
    id: 'healthz',
    methods: ['GET', 'HEAD'],
    pattern: /^\/healthz$/,
    async handle(ctx) {
      sendJson(ctx, 200, { status: 'ok' });
    },
  };
}

/** Which backend serves each role, as configured (sqlite/postgres, fs/s3, memory/redis). */
export interface BackendNames {
  meta: string;
  blob: string;
  ratelimit: string;
}

/**
 * Readiness: both stores answer within a bound; 503 names the one that does not. The rate
 * limiter is named but not checked: while its store is down it falls back as configured, and
 * taking every instance out of the load balancer for that would turn a degraded limit into an
 * outage.
 */
export function readyzRoute(meta: MetaStore, blobs: BlobStore, backends: BackendNames, timeoutMs = 2000): Route {
  return {
    kind: 'public',
    id: 'readyz',
    methods: ['GET', 'HEAD'],
    pattern: /^\/readyz$/,
    async handle(ctx) {
      const [metaOk, blobOk] = await Promise.all([probe(meta.ping(), timeoutMs), probe(blobs.ping(), timeoutMs)]);
      const status = metaOk && blobOk ? 'ready' : 'unavailable';
      sendJson(ctx, metaOk && blobOk ? 200 : 503, { status, backends, checks: { meta: metaOk ? 'ok' : 'down', blob: blobOk ? 'ok' : 'down' } });
    },
  };
}

async function probe(p: Promise<void>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
