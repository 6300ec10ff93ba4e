import { collectDefaultMetrics, Registry } from 'prom-client';

let registry: Registry | undefined;

/**
 * prom-client's default metrics (process CPU, memory, file descriptors, handles, GC, and the
 * event-loop lag as nodejs_eventloop_lag_*), in one registry per process: they describe the
 * process, and each registration starts its own event-loop delay monitor, which a test process
 * running many servers must not multiply. Created by the first server; merged into every scrape.
 */
export function processMetrics(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
