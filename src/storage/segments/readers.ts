import fsp from 'node:fs/promises';

/**
 * Read-only handles of segment files, kept for the next download, so that a download costs one
 * trip to the libuv pool instead of three (open, read, close; see docs/performance.md#segment-read-handles). Bounded,
 * least recently used first out; a handle in use is never closed.
 */
export class SegmentReaders {
  private readonly handles = new Map<number, { handle: Promise<fsp.FileHandle>; users: number }>();

  constructor(
    private readonly pathOf: (id: number) => string,
    private readonly max = 32,
  ) {}

  /** Reads `into.length` bytes (fewer at the end of the file) at `position`; returns how many. */
  async read(id: number, into: Buffer, position: number): Promise<number> {
    let entry = this.handles.get(id);
    if (entry)
      this.handles.delete(id); // re-inserted below: the map's order is least recently used first
    else {
      const opened = { handle: fsp.open(this.pathOf(id), 'r'), users: 0 };
      opened.handle.catch(() => this.handles.get(id) === opened && this.handles.delete(id));
      entry = opened;
    }
    this.handles.set(id, entry);
    entry.users++;
    try {
      const fd = await entry.handle;
      return (await fd.read(into, 0, into.length, position)).bytesRead;
    } finally {
      entry.users--;
      this.trim();
    }
  }

  async close(): Promise<void> {
    const all = [...this.handles.values()];
    this.handles.clear();
    await Promise.allSettled(all.map((e) => e.handle.then((fd) => fd.close())));
  }

  private trim(): void {
    for (const [id, e] of this.handles) {
      if (this.handles.size <= this.max) return;
      if (e.users > 0) continue;
      this.handles.delete(id);
      void e.handle.then((fd) => fd.close()).catch(() => {});
    }
  }
}
