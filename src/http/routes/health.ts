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

/** Readiness: both stores answer within a bound; 503 names the one that does not. */
export function readyzRoute(meta: MetaStore, blobs: BlobStore, timeoutMs = 2000): Route {
  return {
    kind: 'public',
    id: 'readyz',
    methods: ['GET', 'HEAD'],
    pattern: /^\/readyz$/,
    async handle(ctx) {
      const [metaOk, blobOk] = await Promise.all([probe(meta.ping(), timeoutMs), probe(blobs.ping(), timeoutMs)]);
      const status = metaOk && blobOk ? 'ready' : 'unavailable';
      sendJson(ctx, metaOk && blobOk ? 200 : 503, { status, checks: { meta: metaOk ? 'ok' : 'down', blob: blobOk ? 'ok' : 'down' } });
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
