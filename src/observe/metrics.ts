import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LingoError } from '../errors/lingo-error.js';
import { processMetrics } from './process-metrics.js';

/**
 * Every metric of one server, in a Registry of its own (several servers share a test process;
 * prom-client's global registry would mix them). Labels are route ids, status codes, fields of
 * 2250001, backend kinds and interface method names: all fixed by the code, so their cardinality
 * is bounded and no token, secret or password can reach one.
 */
export class LingoMetrics {
  readonly registry = new Registry();

  private readonly requests = new Counter({
    name: 'lingo_http_requests_total',
    help: 'HTTP requests by operation (the route id; unknown for 404s) and status (aborted: the connection closed before the response ended)',
    labelNames: ['operation', 'status'] as const,
    registers: [this.registry],
  });
  private readonly requestSeconds = new Histogram({
    name: 'lingo_http_request_duration_seconds',
    help: 'From the request head to the end of the response, by operation and status',
    labelNames: ['operation', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly uploadBytes = new Histogram({
    name: 'lingo_upload_bytes',
    help: 'Request body bytes received by file uploads, by status (its sum is the upload traffic)',
    labelNames: ['status'] as const,
    buckets: [4096, 16384, 65536, 262144, 1048576, 4194304, 11 * 1048576],
    registers: [this.registry],
  });
  private readonly validationFailures = new Counter({
    name: 'lingo_validation_failures_total',
    help: 'Fields refused with code 2250001, by operation and field (indexes collapsed: images[].token)',
    labelNames: ['operation', 'field'] as const,
    registers: [this.registry],
  });
  private readonly rateLimitRefusals = new Counter({
    name: 'lingo_rate_limit_refusals_total',
    help: 'Requests refused with 429 99991400, by operation',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  private readonly backendSeconds = new Histogram({
    name: 'lingo_backend_call_duration_seconds',
    help: 'Calls to a storage interface, by store (meta, glossary, blob, ratelimit), backend and method; within S3 blob calls, each S3 request (store s3) and ledger statement (store ledger)',
    labelNames: ['store', 'backend', 'method'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  private readonly backendErrors = new Counter({
    name: 'lingo_backend_call_errors_total',
    help: 'Calls to a storage interface that failed (rejected), by store, backend and method',
    labelNames: ['store', 'backend', 'method'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Starts the process's event-loop delay monitor with the first server, not at its first scrape.
    processMetrics();
  }

  requestEnded(outcome: RequestOutcome): void {
    const { operation, status } = outcome;
    this.requests.inc({ operation, status });
    this.requestSeconds.observe({ operation, status }, outcome.seconds);
    if (operation === 'lingo.v1.file.upload') this.uploadBytes.observe({ status }, outcome.requestBytes);
    const failure = outcome.failure;
    if (!(failure instanceof LingoError)) return;
    if (failure.key === 'rateLimited') this.rateLimitRefusals.inc({ operation });
    if (failure.code === 2250001) {
      const fields = failure.details.fieldViolations?.map((v) => v.field) ?? [];
      for (const field of new Set(fields.length > 0 ? fields.map(fieldLabel) : ['(none)'])) this.validationFailures.inc({ operation, field });
    }
  }

  backendCall(labels: BackendLabels, method: string, seconds: number, failed: boolean): void {
    const all = { ...labels, method };
    this.backendSeconds.observe(all, seconds);
    if (failed) this.backendErrors.inc(all);
  }

  /** Reads `source` at each scrape: the limiter keeps its own counts (see fallback-rate-limiter.ts). */
  watchRateLimitFallback(source: RateLimitFallbackCounts | undefined): void {
    const read = (pick: (s: RateLimitFallbackCounts) => number) =>
      function (this: Counter | Gauge) {
        this.reset();
        this.inc(source ? pick(source) : 0);
      };
    new Counter({
      name: 'lingo_rate_limit_fallback_switches_total',
      help: 'Times the shared rate-limit store (Redis) failed and limits switched to --rate-limit-on-store-error',
      registers: [this.registry],
      collect: read((s) => s.counters.switchesToFallback),
    });
    new Counter({
      name: 'lingo_rate_limit_decided_without_store_total',
      help: 'Requests whose rate limit was decided without the shared store, by the fallback policy',
      registers: [this.registry],
      collect: read((s) => s.counters.decidedWithoutStore),
    });
    new Gauge({
      name: 'lingo_rate_limit_fallback_active',
      help: '1 while the shared rate-limit store is failing and the fallback policy decides',
      registers: [this.registry],
      collect: read((s) => (s.degraded ? 1 : 0)),
    });
  }

  /** This server's metrics, then the process's (event-loop lag, memory, CPU, handles). */
  async scrape(): Promise<{ contentType: string; body: string }> {
    const merged = Registry.merge([this.registry, processMetrics()]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }
}

export interface RequestOutcome {
  /** The route id, or `unknown`. */
  operation: string;
  /** The status code, or `aborted`. */
  status: string;
  seconds: number;
  requestBytes: number;
  /** What the handler threw, if anything. */
  failure: unknown;
}

export interface BackendLabels {
  /** s3 and ledger: the S3 requests and PostgreSQL ledger statements an S3 blob-store call is made of. */
  store: 'meta' | 'glossary' | 'blob' | 'ratelimit' | 's3' | 'ledger';
  /** sqlite | postgres, fs | s3, memory | redis. */
  backend: string;
}

/** What FallbackRateLimiter counts. */
export interface RateLimitFallbackCounts {
  readonly counters: { readonly switchesToFallback: number; readonly decidedWithoutStore: number };
  readonly degraded: boolean;
}

/**
 * A 2250001 field as a label: indexes collapsed (`related_meta.images[3].token` →
 * `related_meta.images[].token`). Fields are named by the code, but a label must stay bounded
 * whatever a future field holds, so anything unusual is `other`.
 */
export function fieldLabel(field: string): string {
  const collapsed = field.replace(/\[\d+\]/g, '[]');
  return collapsed.length <= 80 && /^[A-Za-z0-9_.\-[\]]+$/.test(collapsed) ? collapsed : 'other';
}
