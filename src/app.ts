import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type http from 'node:http';
import pino, { type Logger } from 'pino';
import { TokenService } from './auth/tokens.js';
import { ConfigError, type BlobStoreConfig, type MetaStoreConfig, type ServerConfig } from './config/config.js';
import { FileService } from './files/file-service.js';
import { fileJournalApplier } from './files/file-journal.js';
import { Gateway } from './http/gateway.js';
import { ConsoleAuth } from './console/console-auth.js';
import { consoleRoutes } from './console/console-routes.js';
import { createHttpServer } from './http/http-server.js';
import type { Route } from './http/route.js';
import { accessTokenRoute } from './http/routes/access-token.js';
import { filesDownloadRoute } from './http/routes/files-download.js';
import { filesUploadRoute } from './http/routes/files-upload.js';
import { healthzRoute, readyzRoute } from './http/routes/health.js';
import { metricsRoute } from './http/routes/metrics.js';
import { openApiRoute } from './http/routes/openapi.js';
import { classificationsListRoute } from './http/routes/classifications-list.js';
import { draftsCreateRoute } from './http/routes/drafts-create.js';
import { draftsUpdateRoute } from './http/routes/drafts-update.js';
import { entitiesCreateRoute } from './http/routes/entities-create.js';
import { entitiesDeleteRoute } from './http/routes/entities-delete.js';
import { entitiesGetRoute } from './http/routes/entities-get.js';
import { entitiesHighlightRoute } from './http/routes/entities-highlight.js';
import { entitiesListRoute } from './http/routes/entities-list.js';
import { entitiesMatchRoute } from './http/routes/entities-match.js';
import { entitiesSearchRoute } from './http/routes/entities-search.js';
import { entitiesUpdateRoute } from './http/routes/entities-update.js';
import { reposListRoute } from './http/routes/repos-list.js';
import { createGlossaryStore } from './glossary/create-glossary-store.js';
import { DraftService } from './glossary/draft-service.js';
import { EntityService } from './glossary/entity-service.js';
import type { GlossaryStore } from './glossary/glossary-store.js';
import { Highlighter } from './glossary/highlight/highlighter.js';
import { Paging } from './glossary/paging.js';
import type { MetaStore } from './meta/meta-store.js';
import { createPgPool } from './meta/postgres-pool.js';
import { PostgresMetaStore } from './meta/postgres-meta-store.js';
import { SqliteMetaStore } from './meta/sqlite-meta-store.js';
import { instrument, type BackendCallSink } from './observe/instrument.js';
import { createMetricsServer } from './observe/metrics-server.js';
import { buildOpenApiDocument } from './openapi/openapi-document.js';
import { packageVersion } from './openapi/package-version.js';
import { LingoMetrics, type BackendLabels } from './observe/metrics.js';
import { createRateLimiter } from './ratelimit/create-rate-limiter.js';
import { FallbackRateLimiter } from './ratelimit/fallback-rate-limiter.js';
import type { RateLimiter } from './ratelimit/rate-limiter.js';
import type { BlobStore, StagedBlob } from './storage/blob-store.js';
import { FsBlobStore } from './storage/fs-blob-store.js';
import { S3BlobStore } from './storage/s3/s3-blob-store.js';
import { SegmentStore } from './storage/segments/segment-store.js';
import { TieredBlobStore } from './storage/tiered-blob-store.js';

export interface AppDeps {
  log?: Logger;
  meta?: MetaStore;
  blobs?: BlobStore;
  limiter?: RateLimiter;
  /** With an injected `meta` of a class of its own (a test's wrapper), the glossary on the real store. */
  glossary?: GlossaryStore;
}

export interface App {
  readonly server: http.Server;
  /** The --metrics-port listener; undefined when /metrics is served on the main port. */
  readonly metricsServer: http.Server | undefined;
  readonly metrics: LingoMetrics;
  readonly routes: readonly Route[];
  readonly meta: MetaStore;
  readonly blobs: BlobStore;
  readonly tokens: TokenService;
  readonly files: FileService;
  readonly glossary: GlossaryStore;
  readonly entities: EntityService;
  readonly drafts: DraftService;
  readonly console: ConsoleAuth;
  listen(): Promise<AddressInfo>;
  /** Stop accepting, let in-flight requests finish (bounded by shutdownGraceMs), close stores. */
  close(): Promise<void>;
}

/**
 * `log` hears what no request is waiting for (PostgreSQL dropped an idle connection). With
 * postgres, the S3 blob store shares the store's pool: `(meta as PostgresMetaStore).pool`.
 */
export function createMetaStore(config: MetaStoreConfig, log?: Logger): MetaStore {
  switch (config.kind) {
    case 'sqlite':
      return new SqliteMetaStore(config.path);
    case 'postgres': {
      const pool = createPgPool(config.url, (err) => log?.warn({ err }, 'PostgreSQL closed an idle connection; the pool opens a new one when needed'));
      return new PostgresMetaStore(pool, config.url);
    }
  }
}

/**
 * `meta`: where recovery re-inserts the file rows it finds in segment records (see
 * src/files/file-journal.ts). Every process that may open the store for writing passes it;
 * without it, a store that finds such rows refuses to open. An S3 store keeps its blob ledger in
 * the PostgreSQL metadata store's database, on that store's pool.
 */
/** `observe`: where an S3 store reports its requests and ledger statements (the server's metrics). */
export function createBlobStore(config: BlobStoreConfig, meta?: MetaStore, observe?: BackendCallSink): BlobStore {
  switch (config.kind) {
    case 'fs': {
      const files = new FsBlobStore(config.root);
      if (config.segmentBlobMaxBytes === 0) return files;
      const segments = new SegmentStore(path.join(config.root, 'segments'), { applyJournal: meta && fileJournalApplier(meta) });
      return new TieredBlobStore(files, segments, config.segmentBlobMaxBytes);
    }
    case 's3':
      if (!(meta instanceof PostgresMetaStore))
        throw new ConfigError('--blob s3 keeps its blob ledger in PostgreSQL: it needs --meta postgres (LINGO_META=postgres)');
      return new S3BlobStore({ location: config.location, tempDir: config.tempDir, memoryMaxBytes: config.segmentBlobMaxBytes, observe }, meta.pool);
  }
}

/** The composition root: every dependency is built here (or passed in) and handed down. */
export function buildApp(config: Readonly<ServerConfig>, deps: AppDeps = {}): App {
  const log = deps.log ?? pino({ level: config.logLevel });
  const metrics = new LingoMetrics();
  const stores = instrumentedStores(config, deps, log, metrics);
  const { meta, blobs, limiter, glossary } = stores;
  const tokens = new TokenService(meta);
  const files = new FileService(meta, blobs);
  const entities = new EntityService(files, glossary);
  const drafts = new DraftService(glossary, entities);
  const paging = new Paging(glossary);
  const consoleAuth = new ConsoleAuth(glossary, meta);
  const routes: Route[] = [
    accessTokenRoute(tokens, 'tenant'),
    accessTokenRoute(tokens, 'app'),
    filesUploadRoute(files),
    filesDownloadRoute(files, blobs),
    entitiesMatchRoute(entities, glossary),
    entitiesSearchRoute(entities, glossary, paging),
    entitiesHighlightRoute(new Highlighter(glossary)),
    entitiesCreateRoute(entities),
    entitiesListRoute(entities, glossary, paging),
    entitiesGetRoute(entities),
    entitiesUpdateRoute(entities),
    entitiesDeleteRoute(entities),
    classificationsListRoute(entities, glossary, paging),
    reposListRoute(glossary),
    draftsCreateRoute(drafts),
    draftsUpdateRoute(drafts),
    healthzRoute(),
    readyzRoute(meta, blobs, { meta: config.metaStore.kind, blob: config.blobStore.kind, ratelimit: config.rateLimit.store.kind }),
    ...(config.metricsPort === 0 ? [metricsRoute(metrics)] : []),
    ...consoleRoutes({ auth: consoleAuth, meta, blobs, glossary, files, entities, drafts, paging }),
  ];
  // Describes the table it is part of, itself included (the console's routes aside).
  routes.push(openApiRoute(() => buildOpenApiDocument(routes, packageVersion())));
  const server = createHttpServer(routes, new Gateway(tokens, limiter, config.rateLimit), log, config.http, (outcome) => metrics.requestEnded(outcome));
  const metricsServer = config.metricsPort === 0 ? undefined : createMetricsServer(metrics, log);
  let closing: Promise<void> | undefined;

  return {
    server,
    metricsServer,
    metrics,
    routes,
    meta,
    blobs,
    tokens,
    files,
    glossary,
    entities,
    drafts,
    console: consoleAuth,
    listen: async () => {
      // An unreachable Redis stops the start, as a wrong setting does.
      await limiter.open();
      // The rows' schema first (an S3 store's ledger lives in it), then recovery and the writer
      // lock: a second server on this data dir stops here.
      await meta.ping();
      await blobs.open({ exclusive: true });
      // The metrics port first: a port in use stops the start before the API answers anything.
      if (metricsServer) await listenOn(metricsServer, config.metricsPort, config.host);
      try {
        return await listenOn(server, config.port, config.host);
      } catch (err) {
        metricsServer?.close();
        throw err;
      }
    },
    close: () =>
      (closing ??= (async () => {
        const drained = new Promise<void>((resolve) => server.close(() => resolve()));
        if (metricsServer?.listening) {
          metricsServer.close();
          metricsServer.closeAllConnections();
        }
        server.closeIdleConnections();
        const grace = setTimeout(() => server.closeAllConnections(), config.http.shutdownGraceMs);
        await drained;
        clearTimeout(grace);
        await limiter.close();
        // Blobs first: an S3 store's last ledger queries run on the metadata store's pool.
        await blobs.close();
        await meta.close();
      })()),
  };
}

function listenOn(server: http.Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * The stores as the services see them: each call timed and its failures counted by backend
 * (src/observe/instrument.ts). Built from the raw stores, since construction looks at their
 * classes (the glossary shares the metadata store's database; S3 keeps its ledger on its pool).
 * An injected limiter is used as given: tests inject composites whose class they inspect.
 */
function instrumentedStores(config: Readonly<ServerConfig>, deps: AppDeps, log: Logger, metrics: LingoMetrics) {
  const sink: BackendCallSink = (labels, method, seconds, failed) => metrics.backendCall(labels, method, seconds, failed);
  const rawMeta = deps.meta ?? createMetaStore(config.metaStore, log);
  const rawBlobs = deps.blobs ?? createBlobStore(config.blobStore, rawMeta, sink);
  const blobLabels: BackendLabels = { store: 'blob', backend: config.blobStore.kind };
  const limiter = deps.limiter ?? createRateLimiter(config.rateLimit, log, (l, backend) => instrument(l, { store: 'ratelimit', backend }, sink));
  metrics.watchRateLimitFallback(limiter instanceof FallbackRateLimiter ? limiter : undefined);
  return {
    meta: instrument(rawMeta, { store: 'meta', backend: config.metaStore.kind }, sink),
    // publish() of a staged blob is the write itself (a rename, a segment append, an S3 PUT).
    blobs: instrument(rawBlobs, blobLabels, sink, (method, value) => (method === 'stage' ? instrument(value as StagedBlob, blobLabels, sink) : value)),
    limiter,
    glossary: instrument(deps.glossary ?? createGlossaryStore(rawMeta), { store: 'glossary', backend: config.metaStore.kind }, sink),
  };
}
