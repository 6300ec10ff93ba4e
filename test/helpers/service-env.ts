import { randomBytes } from 'node:crypto';

/**
 * The real servers the scale-out suites run against (started by `scripts/services.sh start`, which
 * writes these variables). Kept free of vitest imports: the global setup reads it too.
 */
export const services = {
  postgres: { env: 'LINGO_TEST_POSTGRES_URL', url: process.env.LINGO_TEST_POSTGRES_URL },
  redis: { env: 'LINGO_TEST_REDIS_URL', url: process.env.LINGO_TEST_REDIS_URL },
  s3: { env: 'LINGO_TEST_S3_ENDPOINT', url: process.env.LINGO_TEST_S3_ENDPOINT },
} as const;

export type ServiceName = keyof typeof services;

/** The services of `needs` that are not configured, as the variables to set. */
export function missingServices(needs: readonly ServiceName[]): string[] {
  return needs.filter((n) => !services[n].url).map((n) => services[n].env);
}

/** The URL of a configured service (call only where the suite checked it is there). */
export function serviceUrl(name: ServiceName): string {
  const url = services[name].url;
  if (!url) throw new Error(`${services[name].env} is not set`);
  return url;
}

/** A name no other test uses: for a schema, a bucket or a key prefix. */
export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(6).toString('hex')}`;
}

/** The PostgreSQL URL with `search_path` set to `schema`, so that a store sees only that schema. */
export function postgresUrlWithSchema(schema: string): string {
  const url = new URL(serviceUrl('postgres'));
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}
