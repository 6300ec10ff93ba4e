import fs from 'node:fs';

/** Clock ticks per second for /proc/<pid>/stat times; 100 on every Linux the bench targets. */
const clockTicks = 100;

export interface ProcReading {
  /** utime + stime of all the process's threads, in seconds. */
  cpuS: number;
  rssBytes: number;
  /** Kernel-tracked peak RSS of the process's whole life (VmHWM). */
  hwmBytes: number;
}

/** The fields of a /proc/…/stat line after the command name, which may contain spaces and parentheses. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime, in seconds, from a stat line's fields. */
function cpuSecondsOf(fields: string[]): number {
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

/** CPU seconds used so far by one thread of a process; 0 once it has ended. */
export function threadCpuSeconds(pid: number, tid: number): number {
  try {
    return cpuSecondsOf(statFields(fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
  } catch {
    return 0;
  }
}

/** Every live thread's CPU seconds so far, by thread id. */
export function threadCpuTimes(pid: number): Map<number, number> {
  return new Map(fs.readdirSync(`/proc/${pid}/task`).map((entry) => [Number(entry), threadCpuSeconds(pid, Number(entry))]));
}

/** CPU seconds each live thread used since `before` (a thread started since counts from 0). */
export function threadCpuSince(pid: number, before: ReadonlyMap<number, number>): Map<number, number> {
  return new Map([...threadCpuTimes(pid)].map(([tid, seconds]) => [tid, seconds - (before.get(tid) ?? 0)]));
}

/** One reading of /proc/<pid>; undefined once the process is gone. */
export function readProc(pid: number): ProcReading | undefined {
  try {
    const cpuS = cpuSecondsOf(statFields(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')));
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return { cpuS, rssBytes: kb(status, 'VmRSS'), hwmBytes: kb(status, 'VmHWM') };
  } catch {
    return undefined;
  }
}

function kb(status: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/**
 * Samples a process while a run lasts: RSS peak (VmRSS sampled, since VmHWM covers the whole
 * process life and so cannot be split per run) and CPU time used between start and stop.
 */
export class ProcSampler {
  private timer: NodeJS.Timeout | undefined;
  private first: ProcReading | undefined;
  private last: ProcReading | undefined;
  private peakRss = 0;

  constructor(
    readonly pid: number,
    private readonly intervalMs = 50,
  ) {}

  start(): this {
    this.first = readProc(this.pid);
    this.last = this.first;
    this.peakRss = this.first?.rssBytes ?? 0;
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** CPU seconds used since start() and the RSS peak seen; the last reading is taken now. */
  stop(): { cpuS: number; peakRssBytes: number; hwmBytes: number } {
    clearInterval(this.timer);
    this.sample();
    return {
      cpuS: this.first && this.last ? this.last.cpuS - this.first.cpuS : NaN,
      peakRssBytes: this.peakRss,
      hwmBytes: this.last?.hwmBytes ?? 0,
    };
  }

  private sample(): void {
    const r = readProc(this.pid);
    if (!r) return; // exited: keep the last reading (wrk's final 50 ms are lost, which is noise)
    this.last = r;
    if (r.rssBytes > this.peakRss) this.peakRss = r.rssBytes;
  }
}

interface ProcEntry {
  ppid: number;
  cpuS: number;
  /** The command name (comm), as /proc/<pid>/stat gives it. */
  comm: string;
}

/** Every process's parent and CPU time, from /proc/<pid>/stat. */
function allProcs(): Map<number, ProcEntry> {
  const out = new Map<number, ProcEntry>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = statFields(stat);
      out.set(Number(name), { ppid: Number(f[1]), cpuS: cpuSecondsOf(f), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
    } catch {
      // exited between readdir and read
    }
  }
  return out;
}

/**
 * The servers a pg-s3 lingo-server works with (PostgreSQL's processes, redis-server, s3rver, a
 * Node process): their CPU is that mode's own cost, counted apart from the neighbours'. Other
 * users of the same services (another test suite) are counted with them.
 */
function isService(pid: number, comm: string): boolean {
  if (comm === 'postgres' || comm === 'redis-server') return true;
  return comm === 'node' && /\bs3rver\b/.test(commandOf(pid));
}

function commandOf(pid: number): string {
  try {
    const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    if (cmd) return cmd.length > 70 ? cmd.slice(0, 67) + '...' : cmd;
    return `[${fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim()}]`;
  } catch {
    return `pid ${pid} (exited)`;
  }
}

/**
 * CPU used by processes that are not part of the benchmark (the neighbours: a test suite, a
 * compiler) and by kernel threads (disk writeback, journal, softirq). Polled, so that a
 * process that starts and ends within the window is still counted; one shorter than a poll
 * interval is missed.
 */
class NeighbourMeter {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, ProcEntry>();
  /** Read when a process is first seen, since a short-lived neighbour is gone by stop(). */
  private readonly commands = new Map<number, string>();
  /** Whether each pid seen is one of the services (decided once: a cmdline read per process). */
  private readonly services = new Map<number, boolean>();
  private timer: NodeJS.Timeout | undefined;

  /** `ours`: roots of the bench's own process trees (this process's ancestors are added). */
  constructor(private readonly ours: number[]) {}

  start(): this {
    for (const [pid, e] of allProcs()) {
      this.first.set(pid, e.cpuS);
      this.last.set(pid, e);
    }
    this.timer = setInterval(() => this.poll(), 250);
    this.timer.unref();
    return this;
  }

  stop(): { neighbourCpuS: number; kernelCpuS: number; serviceCpuS: number; top: Array<{ command: string; cpuS: number }> } {
    clearInterval(this.timer);
    this.poll();
    const ours = this.ourPids();
    let neighbourCpuS = 0;
    let kernelCpuS = 0;
    let serviceCpuS = 0;
    const users: Array<{ pid: number; cpuS: number }> = [];
    for (const [pid, e] of this.last) {
      if (ours.has(pid)) continue;
      // A process first seen mid-window started within it: all of its CPU time is in the window.
      const used = e.cpuS - (this.first.get(pid) ?? 0);
      if (used <= 0) continue;
      if (pid === 2 || e.ppid === 2) kernelCpuS += used;
      else if (this.isService(pid, e.comm)) serviceCpuS += used;
      else {
        neighbourCpuS += used;
        users.push({ pid, cpuS: used });
      }
    }
    users.sort((a, b) => b.cpuS - a.cpuS);
    const top = users.slice(0, 3).map((u) => ({ command: this.commands.get(u.pid) ?? commandOf(u.pid), cpuS: u.cpuS }));
    return { neighbourCpuS, kernelCpuS, serviceCpuS, top };
  }

  private isService(pid: number, comm: string): boolean {
    let known = this.services.get(pid);
    if (known === undefined) this.services.set(pid, (known = isService(pid, comm)));
    return known;
  }

  private poll(): void {
    for (const [pid, e] of allProcs()) {
      if (!this.last.has(pid)) this.commands.set(pid, commandOf(pid));
      this.last.set(pid, e);
    }
  }

  /** The bench's processes: descendants of `ours` and of this process, and this process's ancestors. */
  private ourPids(): Set<number> {
    const roots = new Set([...this.ours, process.pid]);
    const ours = new Set<number>();
    for (let pid = process.pid; pid > 1; pid = this.last.get(pid)?.ppid ?? 0) ours.add(pid);
    for (const pid of this.last.keys()) {
      for (let p = pid, hops = 0; p > 1 && hops < 64; p = this.last.get(p)?.ppid ?? 0, hops++) {
        if (roots.has(p)) {
          ours.add(pid);
          break;
        }
      }
    }
    return ours;
  }
}

export interface Window {
  wallS: number;
  /** All the server's instances together (one but for a pg-s3 cluster). */
  serverCpuS: number;
  /** The sum of each instance's peak. */
  serverPeakRssBytes: number;
  clientCpuS: number;
  /** CPU of processes outside the benchmark meanwhile; high means a busy neighbour. */
  neighbourCpuS: number;
  /** CPU of kernel threads (writeback, journal, softirq), much of it caused by the server's I/O. */
  kernelCpuS: number;
  /** CPU of PostgreSQL, Redis and s3rver (see isService). */
  serviceCpuS: number;
  /** The busiest neighbours, for the notes. */
  neighbours: Array<{ command: string; cpuS: number }>;
}

/**
 * Brackets one run: the server's CPU and RSS (every instance's), the client's CPU (this process,
 * or children such as wrk when their pids are given), and what the rest of the machine used
 * meanwhile, so that a run disturbed by a neighbour can be told apart from a slow server.
 */
export function openWindow(serverPids: readonly number[], clientPids: readonly number[] = []): { stop(): Window } {
  const servers = serverPids.map((pid) => new ProcSampler(pid).start());
  const clients = clientPids.map((pid) => new ProcSampler(pid).start());
  const others = new NeighbourMeter([...serverPids, ...clientPids]).start();
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    stop: () => {
      const wallS = (performance.now() - t0) / 1000;
      const s = servers.map((server) => server.stop());
      const self = process.cpuUsage(self0);
      const clientCpuS = clients.length ? clients.reduce((sum, c) => sum + c.stop().cpuS, 0) : (self.user + self.system) / 1e6;
      const o = others.stop();
      return {
        wallS,
        serverCpuS: s.reduce((sum, r) => sum + r.cpuS, 0),
        serverPeakRssBytes: s.reduce((sum, r) => sum + r.peakRssBytes, 0),
        clientCpuS,
        neighbourCpuS: o.neighbourCpuS,
        kernelCpuS: o.kernelCpuS,
        serviceCpuS: o.serviceCpuS,
        neighbours: o.top,
      };
    },
  };
}

/** The neighbour fields of RunStats, in % of one core. */
export function neighbourStats(w: Window): { neighbourCpuPct: number; kernelCpuPct: number; serviceCpuPct: number; neighbours: string[] } {
  return {
    neighbourCpuPct: (w.neighbourCpuS / w.wallS) * 100,
    kernelCpuPct: (w.kernelCpuS / w.wallS) * 100,
    serviceCpuPct: (w.serviceCpuS / w.wallS) * 100,
    neighbours: w.neighbours.filter((n) => n.cpuS / w.wallS >= 0.05).map((n) => `${n.command}: ${((n.cpuS / w.wallS) * 100).toFixed(0)}%`),
  };
}
