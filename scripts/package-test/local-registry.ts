import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A registry on loopback that knows one package: the tarball `npm pack` made, published the way
 * the npm registry publishes a package holding an npm-shrinkwrap.json (`_hasShrinkwrap`). npm
 * then installs the dependencies the shrinkwrap names, by integrity, from its cache, so the
 * install needs no network, exactly as `npm install -g lingo-server` would resolve them.
 *
 * (A tarball installed by path is not read for a shrinkwrap, so npm would ask the registry for
 * every dependency's packument, which `npm ci` never caches: `npm install -g --offline
 * ./lingo-server-x.tgz` fails with ENOTCACHED.)
 *
 * Every other request is answered 404 and recorded: npm asks for the packuments of the direct
 * dependencies while it plans (and carries on without them) and for the optional packages of
 * other platforms (which it skips).
 */
export interface LocalRegistry {
  url: string;
  /** `GET /path` of every request for something other than the package. */
  unknownRequests: string[];
  close(): Promise<void>;
}

export interface PackedManifest {
  name: string;
  version: string;
  [field: string]: unknown;
}

export async function startLocalRegistry(tarballFile: string, manifest: PackedManifest, distTags: Record<string, string>): Promise<LocalRegistry> {
  const tarball = fs.readFileSync(tarballFile);
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  const shasum = createHash('sha1').update(tarball).digest('hex');
  const packumentPath = `/${encodeURIComponent(manifest.name).replace(/^%40/, '@')}`;
  const tarballPath = `/${manifest.name}/-/${manifest.name.split('/').pop()}-${manifest.version}.tgz`;
  const unknownRequests: string[] = [];

  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    if (req.method === 'GET' && url === packumentPath) {
      const base = `http://${req.headers.host}`;
      const version = {
        ...manifest,
        _id: `${manifest.name}@${manifest.version}`,
        _hasShrinkwrap: true,
        dist: { tarball: base + tarballPath, integrity, shasum },
      };
      const packument = { _id: manifest.name, name: manifest.name, 'dist-tags': distTags, versions: { [manifest.version]: version } };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(packument));
    } else if (req.method === 'GET' && url === tarballPath) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': tarball.length }).end(tarball);
    } else {
      unknownRequests.push(`${req.method} ${url}`);
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    unknownRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
