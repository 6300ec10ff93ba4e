/** Durations and repetitions. Full: about 4 minutes on 2 cores; quick: under 1 minute. */
export interface Mode {
  name: 'full' | 'quick';
  /** A/B rounds per throughput scenario (each round runs lingo-server, then the baseline). */
  rounds: number;
  /** Unrecorded run per server before the rounds: JIT, page cache, SQLite and socket warm-up. */
  warmupS: number;
  smallUploadS: number;
  largeUploadS: number;
  downloadS: number;
  /** Waves of 64 concurrent 10 MiB uploads per server. */
  memoryWaves: number;
  latencyS: number;
  latencyRounds: number;
  /** Each highlight run (lingo-server, then the json-answer baseline). */
  highlightS: number;
  /** Entity updates, each followed by the highlight that must see it. */
  highlightWrites: number;
  /** Seconds the bench may spend repeating runs that a busy neighbour disturbed. */
  retryBudgetS: number;
  /** Seconds of each disk-ceiling run (one per round, in the upload scenarios). */
  diskS: number;
}

export const modes: Record<Mode['name'], Mode> = {
  full: {
    name: 'full',
    rounds: 3,
    warmupS: 2,
    smallUploadS: 6,
    largeUploadS: 8,
    downloadS: 6,
    memoryWaves: 2,
    latencyS: 6,
    latencyRounds: 3,
    highlightS: 6,
    highlightWrites: 50,
    retryBudgetS: 50,
    diskS: 4,
  },
  quick: {
    name: 'quick',
    rounds: 1,
    warmupS: 1,
    smallUploadS: 2,
    // A ~9 MB upload takes 1-2 s on PostgreSQL + S3 here: 2 s runs could end before any answer.
    largeUploadS: 4,
    downloadS: 2,
    memoryWaves: 1,
    latencyS: 2,
    latencyRounds: 1,
    highlightS: 2,
    highlightWrites: 20,
    retryBudgetS: 0,
    diskS: 1,
  },
};

/** The targets, in one place so the report and README cannot drift apart. */
export const targets = {
  smallUploadsMinRatio: 0.5,
  largeUploadsMinRatio: 0.8,
  memoryMaxPeakRssMb: 200,
  downloadsMinRatio: 0.8,
  latencyRatePerSec: 1000,
  latencyApps: 20,
  latencyMaxP99Ms: 25,
  /** Issue #17 sets no figure for highlight: its row is reported, not judged. */
  highlightEntities: 10_000,
  highlightTextChars: 1000,
  highlightConnections: 16,
} as const;

/** A run during which other processes used more than this (% of one core) is repeated once. */
export const noisyNeighbourPct = 20;

/** More than this share of failed requests makes a run meaningless: the bench then exits 1. */
export const maxBadShare = 0.01;

export const paths = {
  upload: '/open-apis/lingo/v1/files/upload',
  download: (fileToken: string) => `/open-apis/lingo/v1/files/${fileToken}/download`,
  highlight: '/open-apis/lingo/v1/entities/highlight',
  entity: (entityId: string) => `/open-apis/lingo/v1/entities/${entityId}`,
} as const;

/** lingo-server (and the receive baseline) answer a successful upload with this. */
export const uploadSuccess = '"code":0';

/**
 * The upload loads: the scenarios, bench/threads.ts, bench/ladder.ts and --profile all drive
 * these, so their figures describe the same thing.
 */
export const uploadLoads = {
  small: { image: 'smallJpeg', name: 'bench.jpg', connections: 32 },
  large: { image: 'largePng', name: 'bench.png', connections: 8 },
} as const;
