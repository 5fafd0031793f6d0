/**
 * What an error from S3 (or from the network on the way) means for us: retry it, report a
 * changed or missing object, or stop with a message that says what to fix. One table of
 * names and codes, so list, open and the chaos writer classify the same way.
 */
import { AetlError, errorMessage } from '../util/errors.js';

export type S3Failure =
  /** 5xx, SlowDown, throttling, connection resets, timeouts: try again after a pause. */
  | 'retry'
  /** 412: the object's ETag is no longer the listed one. */
  | 'changed'
  | 'not_found'
  | 'no_bucket'
  /** 403, bad or missing credentials. */
  | 'denied'
  /** The client itself is misconfigured (no region, bad endpoint). */
  | 'config'
  | 'other';

const RETRY_NAMES = new Set([
  'SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequests', 'TooManyRequestsException', 'RequestLimitExceeded',
  'RequestThrottled', 'RequestTimeout', 'RequestTimeoutException', 'InternalError', 'ServiceUnavailable', 'TimeoutError',
  'IdleTimeout', 'PrematureClose',
]);
const RETRY_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET',
]);
const DENIED_NAMES = new Set([
  'AccessDenied', 'Forbidden', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'TokenRefreshRequired',
  'AllAccessDisabled', 'AccountProblem', 'CredentialsProviderError',
]);

interface SdkLikeError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

export function httpStatusOf(error: unknown): number | undefined {
  const status = (error as SdkLikeError | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

export function classifyS3Error(error: unknown): S3Failure {
  const e = (error ?? {}) as SdkLikeError;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const status = httpStatusOf(error);
  if (name === 'PreconditionFailed' || status === 412) return 'changed';
  if (name === 'NoSuchBucket') return 'no_bucket';
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return 'not_found';
  if (DENIED_NAMES.has(name) || status === 403 || status === 401) return 'denied';
  if (RETRY_NAMES.has(name) || RETRY_CODES.has(code) || (status !== undefined && (status >= 500 || status === 429))) return 'retry';
  if (e.$fault === 'server' || message === 'aborted' || message.includes('socket hang up')) return 'retry';
  if (message.includes('Region is missing') || message.includes('Invalid URL') || name === 'InvalidEndpoint') return 'config';
  return 'other';
}

export interface S3ErrorContext {
  /** The source as configured, e.g. s3://bucket/prefix. */
  uri: string;
  bucket: string;
  /** The full object key, when the failure is about one object. */
  key?: string;
  /** What we were doing: "listing", "reading", "writing". */
  action: string;
  /** How many attempts were made (for retried failures). */
  attempts?: number;
}

/** The AetlError for a failure that is final (not retried, or out of retries). */
export function s3Error(error: unknown, context: S3ErrorContext): AetlError {
  if (error instanceof AetlError) return error;
  const where = context.key === undefined ? `bucket ${context.bucket}` : `s3://${context.bucket}/${context.key}`;
  const detail = `${errorName(error)}: ${errorMessage(error)}`;
  const failure = classifyS3Error(error);
  switch (failure) {
    case 'retry':
      return new AetlError('source_read_failed', `${context.action} ${where} failed after ${context.attempts ?? 1} attempt(s) (${detail})`, {
        kind: 'transient',
        hint: 'S3 or the network is failing or throttling; it will be retried on the next run. If it persists, check the endpoint and the network path to it.',
        cause: error,
      });
    case 'changed':
      return new AetlError('source_read_failed', `${where} of source ${context.uri} changed since it was listed (${detail})`, {
        kind: 'transient',
        hint: 'List the source again and process the new version.',
        cause: error,
      });
    case 'not_found':
      return new AetlError('not_found', `${where} of source ${context.uri} does not exist (${detail})`, {
        hint: 'It was removed after it was listed; list the source again.',
        cause: error,
      });
    case 'no_bucket':
      return new AetlError('source_not_found', `bucket ${context.bucket} of source ${context.uri} does not exist (${detail})`, {
        hint: 'Create the bucket, or fix `source:` (and `s3.endpoint`/`s3.region`) in agentic-etl.yaml.',
        cause: error,
      });
    case 'denied':
      return new AetlError('source_read_failed', `access denied ${context.action} ${where} (${detail})`, {
        hint: `Check the credentials the AWS SDK finds (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, an instance or task role) and that their policy allows s3:ListBucket on ${context.bucket} and s3:GetObject on its objects.`,
        cause: error,
      });
    case 'config':
      return new AetlError('config_invalid', `cannot reach ${where}: ${detail}`, {
        hint: 'Set `s3.region` (or AWS_REGION) and, for an S3-compatible store, `s3.endpoint` in agentic-etl.yaml.',
        cause: error,
      });
    case 'other':
      return new AetlError('source_read_failed', `${context.action} ${where} failed (${detail})`, {
        hint: 'Check the bucket, the endpoint and the credentials; the message above is what S3 answered.',
        cause: error,
      });
  }
}

function errorName(error: unknown): string {
  const name = (error as SdkLikeError | null)?.name;
  const code = (error as SdkLikeError | null)?.code;
  if (typeof code === 'string' && code !== '') return code;
  return typeof name === 'string' && name !== '' ? name : 'Error';
}
