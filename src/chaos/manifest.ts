/**
 * The ground-truth manifest: one entry per generated line, written to
 * `<out>/.chaos/manifest.ndjson` (a hidden folder, so sources never ingest it) — for an
 * `s3://bucket/prefix` output, the object `<prefix>.chaos/manifest.ndjson`.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ReasonKind } from '../sensor/types.js';
import type { S3ConnectionOptions } from '../sources/s3-client.js';
import { AetlError, errorMessage } from '../util/errors.js';
import type { ChaosLabel, Expectation } from './labels.js';

export interface ManifestEntry {
  /** The file's key relative to the output folder, e.g. `events-00001.ndjson`. */
  file: string;
  /** 1-based line number, exactly as the NDJSON reader numbers it. */
  line: number;
  /** The record's event id; null when the line is malformed (nothing can be read from it). */
  event_id: string | null;
  /** Every deviation the record carries: at most one fault kind, plus the drift kinds it shows. Empty when clean. */
  faults: ChaosLabel[];
  /** The outcome the ingestion core must produce with the contract as generated (no healing). */
  expect: Expectation;
  /** The outcome once every drift is healed; equals `expect` for records without drift. */
  expect_healed: Expectation;
  /** Reason kinds the sensor should report when `expect` is quarantine (sorted), else empty. */
  reasons: ReasonKind[];
}

/** `<out>/.chaos`: manifest and summary, hidden from the ingestion source. */
export function chaosDir(out: string): string {
  return join(out, '.chaos');
}

export function manifestPath(out: string): string {
  return join(chaosDir(out), 'manifest.ndjson');
}

export function summaryPath(out: string): string {
  return join(chaosDir(out), 'summary.json');
}

/** Reads the manifest a chaos run wrote into `out` (a folder or s3://bucket/prefix), in file and line order. */
export async function readManifest(out: string, s3: S3ConnectionOptions = {}): Promise<ManifestEntry[]> {
  const remote = /^s3:\/\//i.test(out.trim());
  const path = remote ? `${out.trim().replace(/\/?$/, '/')}.chaos/manifest.ndjson` : manifestPath(out);
  const entries: ManifestEntry[] = [];
  // Loaded only for S3, like the SDK behind it.
  const lines = remote
    ? (await import('./output-s3.js')).s3ManifestLines(out, s3)
    : createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of lines) {
      number += 1;
      if (line === '') continue;
      entries.push(JSON.parse(line) as ManifestEntry);
    }
  } catch (error) {
    if (error instanceof AetlError) throw error;
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new AetlError(missing ? 'not_found' : 'source_read_failed', missing
      ? `No chaos manifest at ${path}.`
      : `The chaos manifest ${path} could not be read at line ${number}: ${errorMessage(error)}`, {
      hint: missing ? `Run 'agentic-etl chaos --out ${out}' first, or point at the folder it wrote.` : 'Regenerate it with agentic-etl chaos.',
      cause: error,
    });
  }
  return entries;
}
