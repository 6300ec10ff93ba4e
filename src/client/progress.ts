import cliProgress from 'cli-progress';

/** Where a client command writes: report lines on stdout, and whether a person is watching. */
export interface ClientIo {
  out: (line: string) => void;
  /** stdout and stderr are both terminals: draw a progress bar (on stderr) instead of a line per item. */
  interactive: boolean;
}

export function processIo(): ClientIo {
  return { out: (line) => void process.stdout.write(line + '\n'), interactive: !!process.stdout.isTTY && !!process.stderr.isTTY };
}

/**
 * Progress of a run over `total` items. On a terminal: a bar (cli-progress, on stderr) with the
 * counts so far, and each item's line held back until the bar is gone, so that nothing is lost in
 * redraws; `problem` lines are printed after it. Elsewhere (a pipe, a CI log): one line per item
 * as it completes, and no bar.
 */
export class Progress {
  private readonly bar: cliProgress.SingleBar | undefined;
  private readonly heldBack: string[] = [];
  private done = 0;

  constructor(
    private readonly io: ClientIo,
    label: string,
    total: number,
  ) {
    if (!io.interactive || total === 0) return;
    this.bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {counts}`, hideCursor: true, clearOnComplete: true, etaBuffer: 20 },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { counts: '' });
  }

  /** One item has completed. `line` is printed now without a terminal; with one, only `problem` lines, at the end. */
  item(line: string, counts: string, problem: boolean): void {
    this.done++;
    if (!this.bar) return this.io.out(line);
    if (problem) this.heldBack.push(line);
    this.bar.update(this.done, { counts });
  }

  /** Removes the bar and prints what it held back. */
  stop(): void {
    if (!this.bar) return;
    this.bar.stop();
    for (const line of this.heldBack) this.io.out(line);
  }
}
