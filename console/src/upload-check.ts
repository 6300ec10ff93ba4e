import { LingoError } from '../../src/errors/lingo-error.js';
import { checkCompleteSize, checkDimensions, checkSizeSoFar, parseName } from '../../src/files/upload-rules.js';
import { createImageInspector } from '../../src/images/inspector.js';
import { ImageInvalidError } from '../../src/images/types.js';

/**
 * The server's upload rules, run in the browser before sending: the very modules the server uses
 * (src/files/upload-rules.ts and the format walkers of src/images/), bundled. Returns the reason
 * the server would give (`field: description`), or null when the file passes.
 */
export async function uploadRefusal(file: File): Promise<string | null> {
  try {
    parseName(Buffer.from(new TextEncoder().encode(file.name)));
    checkSizeSoFar(file.size);
    checkCompleteSize(file.size);
    const inspector = createImageInspector();
    inspector.push(Buffer.from(await file.arrayBuffer()));
    checkDimensions(inspector.end());
    return null;
  } catch (err) {
    if (err instanceof LingoError) return (err.details.fieldViolations ?? []).map((v) => `${v.field}: ${v.description}`).join('; ') || err.msg;
    if (err instanceof ImageInvalidError) return `file: ${err.message}`;
    throw err;
  }
}
