import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { repoRoot } from '../helpers/serve-process.js';

/** Debian's Chromium (scripts/services.sh install); Playwright's own download is unreachable here. */
export const chromiumPath = process.env.LINGO_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = fs.existsSync(chromiumPath);

/** Screenshots of every page, kept as test artefacts (git-ignored; docs/console.md links here). */
export const artifactsDir = path.join(repoRoot, 'test', 'browser', 'artifacts');

/** The bundle the server serves (dist/console-web), rebuilt from console/src for this run. */
export function buildConsoleBundle(): void {
  execFileSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', 'build-console.ts')], { cwd: repoRoot, stdio: 'pipe', timeout: 120_000 });
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: the tests may run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * axe-core on the page as it is: no serious or critical violation. Evaluated through the DevTools
 * protocol, which the page's CSP does not govern (an injected <script> would be refused by it).
 */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await page.evaluate(axeSource);
  // Runs in the page (no DOM types in the tests' program, hence `any`).
  const violations: AxeViolation[] = await page.evaluate(async () => {
    const g = globalThis as any;
    return (await g.axe.run(g.document, { resultTypes: ['violations'] })).violations;
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    name,
  ).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });
}

/** Drops files on an element the way a user's drag from the desktop does: a drop event carrying a DataTransfer. */
export async function dropFiles(page: Page, selector: string, files: { name: string; bytes: Buffer; type: string }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, type: f.type, b64: f.bytes.toString('base64') }));
  const transfer = await page.evaluateHandle((list) => {
    const g = globalThis as any;
    const dt = new g.DataTransfer();
    for (const f of list) dt.items.add(new g.File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    return dt;
  }, payload);
  await page.dispatchEvent(selector, 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent(selector, 'drop', { dataTransfer: transfer });
}
