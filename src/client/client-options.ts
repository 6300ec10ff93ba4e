import type { Command } from 'commander';
import { ConfigError } from '../config/config.js';
import { isAccessRefusal } from './api-error.js';
import type { ServerCredentials } from './lingo-client.js';

/** A client command ran to its end, but not everything went through: status 1, after its summary. */
export class ClientRunFailed extends Error {
  override readonly name = 'ClientRunFailed';
}

/** The options every client command takes: which server, and the app it signs in as. */
export function withServerOptions(command: Command): Command {
  return command
    .requiredOption('--server <url>', 'the lingo-server (or Feishu) base URL, e.g. http://127.0.0.1:8080')
    .requiredOption('--app-id <id>', 'app id (cli_…) of a self-built app')
    .requiredOption('--app-secret <secret>', 'its app secret');
}

export function credentialsOf(opts: { server: string; appId: string; appSecret: string }): ServerCredentials {
  return { server: opts.server, appId: opts.appId, appSecret: opts.appSecret };
}

/** `--concurrency`: a whole number from 1 to 32. */
export function concurrencyOf(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 32) throw new ConfigError(`--concurrency must be a whole number from 1 to 32, not ${raw}`);
  return Number(raw);
}

/** The line before the summary when the run had to wait or retry, so that slowness is explained. */
export function waitsLine(stats: { rateLimitWaits: number; serverRetries: number }): string | undefined {
  if (stats.rateLimitWaits === 0 && stats.serverRetries === 0) return undefined;
  return `waited ${stats.rateLimitWaits} time(s) on 429 (x-ogw-ratelimit-reset), retried ${stats.serverRetries} time(s) after 2250002 or a lost connection`;
}

/**
 * Once the gateway has refused the app (a missing scope, say), the items not yet sent fail at
 * once, without a request each: the answer would be the same, and the report one line per item.
 */
export class AccessGate {
  private refusal: string | undefined;

  /** Notes `err` if it is such a refusal. */
  note(err: unknown): void {
    if (isAccessRefusal(err)) this.refusal ??= err.message;
  }

  /** Why an item is not sent, once the app has been refused. */
  get closed(): string | undefined {
    return this.refusal === undefined ? undefined : `not sent: the server refused this app (${this.refusal})`;
  }
}
