import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { failureOf } from '../../../src/cli/failure.js';
import { ClientRunFailed } from '../../../src/client/client-options.js';
import { FsckFailed } from '../../../src/cli/maintenance-commands.js';
import { ConfigError } from '../../../src/config/config.js';
import { DataDirBusyError } from '../../../src/storage/blob-store.js';

describe('failureOf: the exit status and message of a command that threw', () => {
  it('what the user must change: status 2, one line', () => {
    expect(failureOf(new ConfigError('--port must be …'))).toEqual({ status: 2, message: '--port must be …' });
    expect(failureOf(new DataDirBusyError('/d/blobs/segments is being written by another lingo-server process'))).toEqual({
      status: 2,
      message: '/d/blobs/segments is being written by another lingo-server process (one server per data dir)',
    });
  });

  it('commander has printed its own message: nothing more, 0 for --help, 2 otherwise', () => {
    expect(failureOf(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toEqual({ status: 0, message: undefined });
    expect(failureOf(new CommanderError(1, 'commander.unknownCommand', 'unknown command'))).toEqual({ status: 2, message: undefined });
  });

  it('fsck damage and system errors: status 1, one line', () => {
    expect(failureOf(new FsckFailed('2 file(s) damaged'))).toEqual({ status: 1, message: 'fsck: 2 file(s) damaged' });
    const inUse = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8080'), { code: 'EADDRINUSE', syscall: 'listen' });
    expect(failureOf(inUse)).toEqual({ status: 1, message: 'listen EADDRINUSE: address already in use 127.0.0.1:8080' });
  });

  it('a client command that ran to its end with refusals or failures: status 1, one line after its summary', () => {
    expect(failureOf(new ClientRunFailed('upload: 2 refused, 0 failed'))).toEqual({ status: 1, message: 'upload: 2 refused, 0 failed' });
  });

  it('anything else: status 1, the stack and its causes, for a bug report', () => {
    const bug = new TypeError('x is undefined', { cause: new Error('the root') });
    const { status, message } = failureOf(bug);
    expect(status).toBe(1);
    expect(message).toMatch(/^TypeError: x is undefined\n\s+at /);
    expect(message).toMatch(/\ncaused by: Error: the root\n\s+at /);
    // Not every error with a code is the system's: no syscall, so the stack is kept.
    expect(failureOf(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' })).message).toMatch(/^Error: disk I\/O error\n\s+at /);
    expect(failureOf({ weird: true })).toEqual({ status: 1, message: 'unexpected { weird: true }' });
  });
});
