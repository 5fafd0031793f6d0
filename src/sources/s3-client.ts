/**
 * The one place that loads `@aws-sdk/client-s3`, lazily, so that a pipeline on a local
 * folder never pays for the SDK. Credentials always come from the SDK's standard chain
 * (environment, shared config and SSO profiles, web identity, container and instance
 * roles), never from agentic-etl's config file.
 */
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { AetlError, errorMessage } from '../util/errors.js';

export type S3Sdk = typeof import('@aws-sdk/client-s3');

export interface S3ConnectionOptions {
  /** An S3-compatible endpoint (MinIO, R2, Ceph, a local test server). Default: AWS, or `AWS_ENDPOINT_URL_S3`. */
  endpoint?: string;
  /** The bucket's region. Default: the SDK's chain (`AWS_REGION`, the profile); `us-east-1` with a custom endpoint. */
  region?: string;
  /** `https://host/bucket/key` instead of `https://bucket.host/key`. Default: true with a custom endpoint, else false. */
  forcePathStyle?: boolean;
  /** Give up connecting after this long (ms). Default 5 s. */
  connectTimeoutMs?: number;
  /** Give up on a request whose socket sits idle this long, waiting or mid-body (ms). Default 30 s. */
  idleTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

let loading: Promise<S3Sdk> | undefined;

/** The SDK module, imported on first use. */
export function loadS3Sdk(): Promise<S3Sdk> {
  loading ??= import('@aws-sdk/client-s3').catch((error: unknown) => {
    loading = undefined;
    throw new AetlError('internal', `the AWS SDK (@aws-sdk/client-s3) could not be loaded: ${errorMessage(error)}`, {
      hint: 'Reinstall agentic-etl with its dependencies (npm install).',
      cause: error,
    });
  });
  return loading;
}

/** The endpoint the SDK will use from the environment, when none is configured. */
function environmentEndpoint(): string | undefined {
  return process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined;
}

/** Builds the client config: our retries replace the SDK's (so their count and time are bounded by us). */
export function s3ClientConfig(options: S3ConnectionOptions): S3ClientConfig {
  const endpoint = options.endpoint ?? environmentEndpoint();
  const config: S3ClientConfig = {
    maxAttempts: 1,
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    // Flexible checksums (CRC32 on every request) are what AWS added in 2025; many
    // S3-compatible stores reject or ignore them. MD5 over whole reads is ours (s3-read.ts).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      socketTimeout: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    },
  };
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  const region = options.region ?? (endpoint !== undefined ? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1') : undefined);
  if (region !== undefined) config.region = region;
  return config;
}

export async function createS3Client(options: S3ConnectionOptions): Promise<S3Client> {
  const sdk = await loadS3Sdk();
  return new sdk.S3Client(s3ClientConfig(options));
}
