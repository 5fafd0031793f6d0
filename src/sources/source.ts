/**
 * A source lists objects and opens them as byte streams. Object keys are data: an
 * implementation never lets a key build a path outside its root.
 */
import type { Readable } from 'node:stream';

export interface SourceObject {
  /** The object's key relative to the source root, with '/' separators. */
  key: string;
  /** Changes whenever the content may have changed (etag, or size+mtime). */
  version: string;
  size: number;
  modifiedAt: Date;
}

export interface Source {
  /** The source as configured, e.g. `./landing` or `s3://bucket/prefix`; used in the ledger. */
  readonly uri: string;
  /** Every object now present, in a stable order (by key). */
  list(): AsyncIterable<SourceObject>;
  /** The object's bytes, exactly the listed version or an error. */
  open(object: SourceObject): Promise<Readable>;
  /**
   * Yields objects as they land or change, after their writes have settled. Ends when
   * `signal` aborts. Hidden and temporary files are never yielded.
   */
  watch(signal: AbortSignal): AsyncIterable<SourceObject>;
}
