import type { Candidate } from './local-validation.js';
import type { LingoClient } from './lingo-client.js';

export const uploadPath = '/open-apis/lingo/v1/files/upload';

/**
 * POST /open-apis/lingo/v1/files/upload as the SDKs send it: multipart with a `name` field and a
 * `file` part. The part carries the name as its filename too, as `curl -F file=@…` does, for
 * servers that tell file parts by their filename. Returns the file_token.
 */
export async function uploadImage(client: LingoClient, candidate: Candidate): Promise<string> {
  const data = await client.call<{ file_token?: unknown }>({
    method: 'POST',
    path: uploadPath,
    form: () => {
      const form = new FormData();
      form.append('name', candidate.name);
      form.append('file', new Blob([candidate.bytes], { type: 'application/octet-stream' }), candidate.name);
      return form;
    },
    repeatable: true,
  });
  if (typeof data.file_token !== 'string') throw new Error('the upload answer has no file_token');
  return data.file_token;
}
