/**
 * Where the chaos monkey puts its files: a local folder, or `s3://bucket/prefix`. The
 * generator only appends text to a file and to the manifest; an output decides how a file
 * becomes visible whole (a rename into place, one PutObject) and keeps the manifest lines
 * of a file ahead of the file itself.
 */
import type { S3ConnectionOptions } from '../sources/s3-client.js';
import { localChaosOutput } from './output-local.js';
import { s3ChaosOutput } from './output-s3.js';

export interface ChaosFileWriter {
  /** Appends text to the file, which is not visible yet. */
  write(text: string): Promise<void>;
  /** Makes the file visible, whole, under its name — after the manifest lines written so far. */
  commit(): Promise<void>;
  /** Drops the unfinished file. */
  abort(): Promise<void>;
}

export interface ChaosOutput {
  /** The folder or s3:// location, for messages. */
  readonly location: string;
  /**
   * Removes (with `overwrite`) or refuses what an earlier run left: the `.chaos` folder and
   * the names `isOurs` accepts. Anything else there is never touched.
   */
  prepare(isOurs: (name: string) => boolean, overwrite: boolean): Promise<void>;
  openFile(name: string): Promise<ChaosFileWriter>;
  /** Appends manifest lines; they reach the output no later than the next commit(). */
  appendManifest(text: string): Promise<void>;
  /** Writes the rest of the manifest and the summary. */
  finish(summary: string): Promise<void>;
  /** Releases what is open (after finish, or after a failure). */
  close(): Promise<void>;
}

const S3_URI = /^s3:\/\//i;

export function isS3Location(out: string): boolean {
  return S3_URI.test(out.trim());
}

/** The output for `out`: s3://bucket/prefix goes to S3 (reached with `s3`), anything else is a folder. */
export function chaosOutput(out: string, s3: S3ConnectionOptions = {}): Promise<ChaosOutput> {
  return isS3Location(out) ? s3ChaosOutput(out, s3) : localChaosOutput(out);
}
