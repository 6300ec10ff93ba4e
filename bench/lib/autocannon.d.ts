/**
 * autocannon 9 ships no types and there is no @types package in the lockfile; this declares only
 * what the bench uses, so the rest of bench/ stays strictly typed.
 */
declare module 'autocannon' {
  namespace autocannon {
    /** The object handed to (and returned from) setupRequest; autocannon serialises it. */
    interface RequestParams {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
    }

    interface Request extends RequestParams {
      /** Called once per request sent; must return the request (a falsy value restarts the sequence). */
      setupRequest?: (req: RequestParams, context: Record<string, unknown>) => RequestParams;
      onResponse?: (status: number, body: string, context: Record<string, unknown>, headers: Record<string, string>) => void;
    }

    interface Options extends RequestParams {
      /** Several URLs: connection i goes to url[i % n]. */
      url: string | string[];
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Stop after this many requests (overrides duration). */
      amount?: number;
      /** Seconds to wait for a response. */
      timeout?: number;
      pipelining?: number;
      requests?: Request[];
    }

    /** An hdr-histogram summary; latencies are in ms, request counts per second, bytes per second. */
    interface Histogram {
      average: number;
      mean: number;
      stddev: number;
      min: number;
      max: number;
      total: number;
      p50: number;
      p90: number;
      p97_5: number;
      p99: number;
      p99_9: number;
    }

    interface Result {
      duration: number;
      errors: number;
      timeouts: number;
      mismatches: number;
      non2xx: number;
      resets: number;
      '2xx': number;
      statusCodeStats: Record<string, { count: number }>;
      latency: Histogram & { totalCount: number };
      requests: Histogram & { sent: number };
      throughput: Histogram;
    }

    interface Instance {
      stop(): void;
    }
  }

  function autocannon(opts: autocannon.Options, cb: (err: Error | null, result: autocannon.Result) => void): autocannon.Instance;

  export = autocannon;
}
