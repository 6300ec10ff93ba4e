import http from 'node:http';
import https from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { BackendCallSink } from '../../observe/instrument.js';

/** Where the blobs live: `--s3-*` settings. Credentials come from the standard AWS chain. */
export interface S3Location {
  /** An S3-compatible server; undefined means AWS. */
  endpoint: string | undefined;
  bucket: string;
  /** Undefined: the AWS chain's region (AWS_REGION, the profile). */
  region: string | undefined;
  /** `http://host/bucket/key` instead of `http://bucket.host/key`: what most self-hosted servers need. */
  forcePathStyle: boolean;
  /** Keys are `<prefix>/<sha256>`, or just `<sha256>` when empty. */
  prefix: string;
}

/** Bounds on every S3 call, so that a slow or dead server costs a known time, never a hang. */
export interface S3ClientLimits {
  connectTimeoutMs: number;
  /** Whole request, until the response headers (a download's body is bounded by the idle timeout). */
  requestTimeoutMs: number;
  /** Longest silence on a socket, a download's body included. */
  idleTimeoutMs: number;
  /** Sockets per instance: an upload or download holds one while it runs. */
  maxSockets: number;
  /** Tries of a request with a replayable body; the SDK never retries a streamed one (see s3-blob-store.ts). */
  maxAttempts: number;
}

export const defaultS3ClientLimits: S3ClientLimits = {
  connectTimeoutMs: 2_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 30_000,
  maxSockets: 64,
  maxAttempts: 3,
};

/**
 * An S3 client that works with S3-compatible servers, not only AWS. Since 3.729 the SDK adds a
 * CRC32 to every request and, for a streamed body, switches to `aws-chunked` encoding with a
 * trailer; many servers reject that, and some (s3rver) store the chunk framing as the object's
 * bytes. `WHEN_REQUIRED` keeps plain bodies; integrity comes from our own Content-MD5 instead.
 */
export function createS3Client(location: S3Location, limits: S3ClientLimits = defaultS3ClientLimits): S3Client {
  // On Node 20 the SDK prints a multi-line notice that later SDK releases will need Node 22: a
  // matter for this project's dependency pins, not for whoever runs the server (unless they ask).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const agentOptions = { keepAlive: true, maxSockets: limits.maxSockets };
  return new S3Client({
    ...(location.endpoint === undefined ? {} : { endpoint: location.endpoint }),
    ...(location.region === undefined ? {} : { region: location.region }),
    forcePathStyle: location.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: limits.maxAttempts,
    // The SDK's own console warnings (a streamed request that failed) would bypass our log; our
    // callers report the errors themselves.
    logger: silentLogger,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: limits.connectTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: limits.idleTimeoutMs,
      httpAgent: new http.Agent(agentOptions),
      httpsAgent: new https.Agent(agentOptions),
    }),
  });
}

const silentLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/**
 * Reports each request `client` sends (store `s3`, method the command's name: PutObject,
 * GetObject…), from the call to its response's headers, the SDK's retries included: inside a
 * blob-store call, this is the part S3 itself takes.
 */
export function timeRequests(client: S3Client, sink: BackendCallSink): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const started = performance.now();
      let failed = true;
      try {
        const output = await next(args);
        failed = false;
        return output;
      } finally {
        const method = (context.commandName ?? 'unknown').replace(/Command$/, '');
        sink({ store: 's3', backend: 's3' }, method, (performance.now() - started) / 1000, failed);
      }
    },
    { step: 'initialize', name: 'lingoRequestTiming' },
  );
}
