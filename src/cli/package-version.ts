import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The version in package.json, read at run time: the file sits two levels above this module both
 * in a checkout (src/cli/, under tsx) and in the installed package (dist/cli/), and the build
 * (rootDir src) cannot import it.
 */
export function packageVersion(): string {
  const file = fileURLToPath(new URL('../../package.json', import.meta.url));
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}
