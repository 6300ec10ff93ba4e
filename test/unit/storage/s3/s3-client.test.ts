import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createS3Client } from '../../../../src/storage/s3/s3-client.js';
import { describeWithServices } from '../../../helpers/services.js';
import { openS3Fixture, type S3Fixture } from './s3-fixture.js';

describeWithServices(['postgres', 's3'], 'createS3Client: plain bodies for S3-compatible servers', () => {
  let fixture: S3Fixture;
  let bucket: string;
  beforeAll(async () => {
    fixture = await openS3Fixture();
    bucket = await fixture.newBucket();
  });
  afterAll(() => fixture.close());

  const bytes = Buffer.from('a streamed body, sent in two chunks');
  const body = () => Readable.from([bytes.subarray(0, 10), bytes.subarray(10)]);

  /** What the server stores for a streamed PUT by `client`: the bytes, or the error. */
  const roundTrip = async (client: S3Client, key: string): Promise<Buffer | Error> => {
    try {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body(), ContentLength: bytes.length }));
      const out = await fixture.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await out.Body!.transformToByteArray());
    } catch (err) {
      return err as Error;
    }
  };

  it('a streamed PUT stores exactly its bytes (no aws-chunked framing, no trailer)', async () => {
    const client = createS3Client(fixture.location(bucket));
    try {
      expect(await roundTrip(client, 'ours')).toEqual(bytes);
    } finally {
      client.destroy();
    }
  });

  it("the SDK's default checksum settings do not: what WHEN_REQUIRED prevents", async () => {
    // With its defaults the SDK sends a streamed body as aws-chunked with a CRC32 trailer; a
    // server that does not speak it rejects the PUT or, like s3rver, stores the framing.
    const { endpoint, region, forcePathStyle } = fixture.location(bucket);
    const client = new S3Client({ endpoint: endpoint!, region: region!, forcePathStyle });
    try {
      expect(await roundTrip(client, 'sdk-defaults')).not.toEqual(bytes);
    } finally {
      client.destroy();
    }
  });
});
