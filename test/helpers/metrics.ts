import { expect } from 'vitest';
import { request } from './http.js';

/** One scrape of GET /metrics, parsed enough to read samples. */
export interface Scrape {
  readonly text: string;
  /** The sample `name` whose labels include every one of `labels`; 0 when there is none (a counter not yet touched). */
  value(name: string, labels?: Record<string, string>): number;
}

export async function scrape(baseUrl: string): Promise<Scrape> {
  const res = await request(baseUrl, { path: '/metrics' });
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseScrape(res.body.toString('utf8'));
}

export function parseScrape(text: string): Scrape {
  const samples = text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
  return {
    text,
    value(name, labels = {}) {
      const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}: name more labels`);
      return found[0]?.value ?? 0;
    },
  };
}
