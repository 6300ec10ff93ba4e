import { inspect } from 'node:util';
import { CommanderError } from 'commander';
import { ClientRunFailed } from '../client/client-options.js';
import { ConfigError } from '../config/config.js';
import { DraftReviewError } from '../glossary/draft-service.js';
import { DataDirBusyError, UnsupportedDataDirError } from '../storage/blob-store.js';
import { FsckFailed } from './maintenance-commands.js';
import { MigrateIncomplete } from './migrate-command.js';

/** How a command that threw ends: the exit status, and what to print on stderr (after "lingo-server: "). */
export interface Failure {
  status: number;
  message: string | undefined;
}

/**
 * Status 2 for what the user must change (arguments, settings, a data dir another server holds),
 * 1 for the rest. Expected failures print one line; only an unexpected error prints its stack,
 * since that is what a bug report needs.
 */
export function failureOf(err: unknown): Failure {
  // Commander has printed its message (or the help) already.
  if (err instanceof CommanderError) return { status: err.exitCode === 0 ? 0 : 2, message: undefined };
  if (err instanceof ConfigError) return { status: 2, message: err.message };
  if (err instanceof DataDirBusyError) return { status: 2, message: `${err.message} (one server per data dir)` };
  if (err instanceof UnsupportedDataDirError) return { status: 2, message: err.message };
  // An unknown draft is a wrong argument; one already reviewed (or that cannot apply) is a refusal.
  if (err instanceof DraftReviewError) return { status: err.reason === 'missing' ? 2 : 1, message: err.message };
  if (err instanceof FsckFailed) return { status: 1, message: `fsck: ${err.message}` };
  // A client command has printed its report and summary: one line more says why the status is 1.
  if (err instanceof ClientRunFailed) return { status: 1, message: err.message };
  if (err instanceof MigrateIncomplete) return { status: 1, message: `migrate: ${err.message}` };
  // The operating system said no (a port in use, a read-only or full disk): its message says it all.
  if (isSystemError(err)) return { status: 1, message: err.message };
  return { status: 1, message: describeUnexpected(err) };
}

function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

/** The stack, and the stacks of its causes; anything thrown that is not an Error, as inspect shows it. */
function describeUnexpected(err: unknown): string {
  if (!(err instanceof Error)) return `unexpected ${inspect(err)}`;
  const lines = [err.stack ?? String(err)];
  for (let cause = err.cause, depth = 0; cause !== undefined && depth < 5; cause = cause instanceof Error ? cause.cause : undefined, depth++) {
    lines.push(`caused by: ${cause instanceof Error ? (cause.stack ?? String(cause)) : inspect(cause)}`);
  }
  return lines.join('\n');
}
