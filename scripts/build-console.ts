/**
 * Bundles the console (console/src, TypeScript + Preact) with esbuild into dist/console-web/: the
 * assets under content-hashed names (served as immutable), and index.html naming them (served
 * no-cache). No CDN: everything the page loads is in that directory. Run by `npm run build`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const out = path.join(root, 'dist', 'console-web');

fs.rmSync(out, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['console/src/main.tsx'],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  outdir: path.join(out, 'assets'),
  entryNames: '[name]-[hash]',
  minify: true,
  sourcemap: true,
  metafile: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  tsconfig: 'console/tsconfig.json',
  // The shared upload rules and image walkers (src/) run unchanged in the browser.
  alias: { 'node:zlib': './console/src/shims/zlib.ts' },
  inject: ['console/src/shims/buffer.ts'],
  define: { 'process.env.NODE_ENV': '"production"' },
  logLevel: 'warning',
});
const outputs = Object.keys(result.metafile.outputs).map((f) => path.basename(f));
const js = outputs.find((f) => /^main-.*\.js$/.test(f));
const css = outputs.find((f) => /^main-.*\.css$/.test(f));
if (!js || !css) throw new Error(`console build: no main js/css among ${outputs.join(', ')}`);
const html = fs
  .readFileSync(path.join(root, 'console', 'index.html'), 'utf8')
  .replace('%JS%', js)
  .replace('%CSS%', css);
fs.writeFileSync(path.join(out, 'index.html'), html);
console.log(`console: dist/console-web/assets/${js}, ${css}`);
