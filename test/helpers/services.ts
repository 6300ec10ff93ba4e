import { describe } from 'vitest';
import { missingServices, type ServiceName } from './service-env.js';

export { missingServices, postgresUrlWithSchema, serviceUrl, services, uniqueName, type ServiceName } from './service-env.js';

/**
 * `describe` when every service in `needs` is configured; otherwise a skipped `describe` whose
 * name gives the reason, so the test report says which suites did not run and why.
 */
export function describeWithServices(needs: readonly ServiceName[], name: string, body: () => void): void {
  const missing = missingServices(needs);
  if (missing.length === 0) describe(name, body);
  else describe.skip(`${name} [skipped: ${missing.join(', ')} not set; run scripts/services.sh start]`, body);
}
