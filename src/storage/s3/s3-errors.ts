/** What an S3 call's error means to us, from the SDK's error name and HTTP status. */
interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The object (or the bucket) is not there: NoSuchKey for GET, a bare 404 for HEAD. */
export function isMissing(err: unknown): boolean {
  const e = err as SdkError;
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

const retryableNetworkCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/** Worth another attempt: the server was busy or failed, or the connection broke. Never a 4xx but throttling. */
export function isRetryable(err: unknown): boolean {
  const e = err as SdkError;
  const status = e?.$metadata?.httpStatusCode;
  if (status !== undefined) return status >= 500 || status === 429 || e.name === 'SlowDown' || e.name === 'RequestTimeout';
  return e?.name === 'TimeoutError' || (e?.code !== undefined && retryableNetworkCodes.has(e.code));
}
