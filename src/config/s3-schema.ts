/**
 * The `s3:` section of agentic-etl.yaml: how to reach the bucket of an `s3://` source.
 * Credentials are deliberately not here: the AWS SDK's standard chain finds them
 * (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, instance and task roles).
 */
import { z } from 'zod';
import { showValue } from './yaml-errors.js';

export interface S3Settings {
  /** An S3-compatible endpoint, e.g. http://127.0.0.1:9000 for MinIO. Default: AWS (or AWS_ENDPOINT_URL_S3). */
  endpoint?: string;
  /** The bucket's region. Default: AWS_REGION or the profile's; us-east-1 with a custom endpoint. */
  region?: string;
  /** Path-style URLs (host/bucket/key). Default: true with a custom endpoint, false on AWS. */
  force_path_style?: boolean;
  /** How often `watch` looks for new keys (ms). Default 5000. */
  poll_interval_ms?: number;
  /** How often `watch` re-lists the whole prefix, for overwrites and out-of-order keys (ms). Default 60000. */
  relist_interval_ms?: number;
  /** Check each read's MD5 against the object's ETag where the ETag is an MD5. Default true. */
  verify_md5?: boolean;
}

const ENDPOINT = /^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/i;
const REGION = /^[a-z0-9][a-z0-9-]*$/;
const CREDENTIAL_KEYS = ['access_key_id', 'secret_access_key', 'session_token', 'credentials', 'profile'];

const interval = z.number().int().positive();

export const s3SettingsSchema = z.strictObject({
  endpoint: z.string().trim().min(1).refine((value) => ENDPOINT.test(value), {
    error: (issue) => `must be an http:// or https:// URL such as http://127.0.0.1:9000 (got ${showValue(issue.input)})`,
  }).optional(),
  region: z.string().trim().min(1).refine((value) => REGION.test(value), {
    error: (issue) => `must be a region name such as eu-central-1 (got ${showValue(issue.input)})`,
  }).optional(),
  force_path_style: z.boolean().optional(),
  poll_interval_ms: interval.optional(),
  relist_interval_ms: interval.optional(),
  verify_md5: z.boolean().optional(),
});

export const S3_SETTINGS_KEYS: readonly string[] = Object.keys(s3SettingsSchema.shape);

/** The `s3:` value. An empty `s3:` reads as null: no settings. Credentials are refused with the reason. */
export const s3Section = z.preprocess((value, context) => {
  if (value !== null && typeof value === 'object') {
    for (const key of CREDENTIAL_KEYS) {
      if (key in value) {
        context.issues.push({ code: 'custom', path: [key], input: value, message: 'is not read from the config file: credentials come from the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE) or an instance role' });
      }
    }
  }
  return value ?? undefined;
}, s3SettingsSchema.optional());
