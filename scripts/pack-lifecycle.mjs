#!/usr/bin/env node
/*
 * What `npm pack` and `npm publish` run around the packing (package.json `prepack` and
 * `postpack`; `prepare` builds in between).
 *
 * prepack: empties dist/, so that the build that follows packs no module whose source is gone;
 * and writes npm-shrinkwrap.json, so that `npm install -g lingo-server` and `npx lingo-server`
 * get the dependency tree `npm test` ran against, not whatever newer versions the ranges allow
 * (the server hooks @fastify/busboy's internals, src/http/part-header-guard.ts, and relies on
 * its storage drivers' behaviour: an upgrade should come with a release, not with an install).
 * The shrinkwrap is package-lock.json without the dev dependencies, each entry given its
 * registry URL: the lock is written with omit-lockfile-registry-resolved, and without
 * `resolved` npm fetches every dependency's packument to find its tarball, which an install
 * from the npm cache alone (scripts/package-test.ts) cannot do.
 *
 * postpack: removes npm-shrinkwrap.json again (npm would otherwise prefer it to
 * package-lock.json in this checkout).
 *
 *   node scripts/pack-lifecycle.mjs prepack|postpack
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const shrinkwrap = path.join(root, 'npm-shrinkwrap.json');
const registry = 'https://registry.npmjs.org';

const stage = process.argv[2];
if (stage === 'prepack') {
  fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  fs.writeFileSync(shrinkwrap, JSON.stringify(shrinkwrapOf(JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'))), null, 2) + '\n');
} else if (stage === 'postpack') {
  fs.rmSync(shrinkwrap, { force: true });
} else {
  process.stderr.write('usage: node scripts/pack-lifecycle.mjs prepack|postpack\n');
  process.exit(2);
}

function shrinkwrapOf(lock) {
  if (!(lock.lockfileVersion >= 2)) throw new Error('package-lock.json: lockfileVersion 2 or later expected');
  const packages = {};
  for (const [location, entry] of Object.entries(lock.packages)) {
    if (entry.dev) continue;
    packages[location] = location === '' || entry.resolved || entry.link ? entry : { ...entry, resolved: tarballUrl(location, entry.version) };
  }
  return { ...lock, packages };
}

/** `node_modules/a/node_modules/@s/b` → `https://registry.npmjs.org/@s/b/-/b-1.2.3.tgz`. */
function tarballUrl(location, version) {
  const name = location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return `${registry}/${name}/-/${name.split('/').pop()}-${version}.tgz`;
}
