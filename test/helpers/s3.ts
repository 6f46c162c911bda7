import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// s3rver is CommonJS without types: an S3-compatible server on the local file system, for tests.
import S3rver from 's3rver';

export interface LocalS3 {
  /** For S3_ENDPOINT. */
  endpoint: string;
  bucket: string;
  /** The variables that point Cairn at this server (the keys are s3rver's fixed ones). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 on a free port, with one empty bucket, its files in a temporary directory. */
export async function startLocalS3(bucket = 'cairn-test'): Promise<LocalS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  // The SDK reads these itself; s3rver accepts only this key pair.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  return {
    endpoint,
    bucket,
    env: { CAIRN_BLOB_STORE: `s3://${bucket}/blobs`, S3_ENDPOINT: endpoint, S3_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
    async close() {
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}
