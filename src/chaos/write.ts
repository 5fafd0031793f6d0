/**
 * Puts a chaos stream on disk: one NDJSON file at a time, each written under a hidden temp
 * name and renamed into place so a watcher never sees half a file; the manifest lines of a
 * file are written before the file appears. Optionally paced (`intervalMs`) for demos that
 * heal while data lands.
 */
import { mkdir, open, readdir, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AetlError, errorMessage } from '../util/errors.js';
import { chaosFileName, chaosLines, resolveChaosOptions, type ChaosLine, type ChaosOptions, type ResolvedChaosOptions } from './generate.js';
import { isDriftKind, type Expectation } from './labels.js';
import { chaosDir, manifestPath, summaryPath, type ManifestEntry } from './manifest.js';

export interface WriteChaosOptions {
  /** The landing folder; created when missing. */
  out: string;
  /** Pause between two files, in milliseconds. Default 0. */
  intervalMs?: number;
  /** Stops between files (also during the pause); the summary then says `complete: false`. */
  signal?: AbortSignal;
  /** Called after each file is in place. */
  onFile?: (file: ChaosFileSummary) => void;
  /** Replace the files of an earlier run in `out` instead of refusing. Default false. */
  overwrite?: boolean;
}

export interface ChaosFileSummary {
  /** File name relative to `out`. */
  file: string;
  index: number;
  records: number;
  /** Records with a sporadic fault. */
  poisoned: number;
  /** Records showing at least one drift. */
  drifted: number;
  /** Whether the file's last line is cut (and the file has no final newline). */
  truncated: boolean;
}

export interface ChaosSummary {
  options: ResolvedChaosOptions;
  /** False when the run was aborted before the last file. */
  complete: boolean;
  files: ChaosFileSummary[];
  totals: { files: number; records: number; poisoned: number; drifted: number; clean: number };
  /** Records per label (a record with several labels counts once under each). */
  byLabel: Record<string, number>;
  byExpect: Record<Expectation, number>;
}

/** The part of a chaos file name after the prefix (see chaosFileName). */
const CHAOS_NUMBER = /^\d{5,}\.ndjson$/;

/** Flush the line buffer to disk at about this many characters. */
const CHUNK_CHARS = 1 << 20;

async function prepareOut(out: string, prefix: string, overwrite: boolean): Promise<void> {
  await mkdir(out, { recursive: true });
  // Only names this generator writes: other files in the folder are never touched.
  const ours = (name: string): boolean => name.startsWith(prefix) && CHAOS_NUMBER.test(name.slice(prefix.length));
  const earlier = (await readdir(out)).filter(
    (name) => name === '.chaos' || ours(name) || (name.startsWith('.') && name.endsWith('.tmp') && ours(name.slice(1, -4))),
  );
  if (earlier.length === 0) return;
  if (!overwrite) {
    throw new AetlError('usage', `The chaos output folder ${out} already holds ${earlier.length} entries of an earlier run (e.g. ${earlier[0]}).`, {
      hint: 'Choose an empty folder, or allow overwriting to replace them.',
    });
  }
  await Promise.all(earlier.map((name) => rm(join(out, name), { recursive: true, force: true })));
}

/** Waits `ms`; false when the signal aborted first. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return false;
  if (ms <= 0) return true;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

/** Writes the chaos files, the manifest and the summary into `options.out`. */
export async function writeChaos(options: ChaosOptions & WriteChaosOptions): Promise<ChaosSummary> {
  const resolved = resolveChaosOptions(options);
  const { out, intervalMs = 0, signal } = options;
  await prepareOut(out, resolved.filePrefix, options.overwrite ?? false);
  await mkdir(chaosDir(out), { recursive: true });

  const summary: ChaosSummary = {
    options: resolved,
    complete: false,
    files: [],
    totals: { files: 0, records: 0, poisoned: 0, drifted: 0, clean: 0 },
    byLabel: {},
    byExpect: { silver: 0, coerced: 0, quarantine: 0 },
  };
  const manifest = await open(manifestPath(out), 'w');
  const lines = chaosLines(resolved);
  try {
    for (let index = 1; index <= resolved.files; index++) {
      if (index > 1 && !(await pause(intervalMs, signal))) break;
      if (signal?.aborted) break;
      const file = await writeOneFile(out, chaosFileName(resolved.filePrefix, index), resolved.records, lines, manifest, summary);
      summary.files.push(file);
      summary.totals.files += 1;
      options.onFile?.(file);
    }
    summary.complete = summary.totals.files === resolved.files;
  } finally {
    await manifest.close();
  }
  await writeAtomically(summaryPath(out), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

function count(summary: ChaosSummary, file: ChaosFileSummary, entry: ManifestEntry): void {
  summary.totals.records += 1;
  summary.byExpect[entry.expect] += 1;
  let poisoned = false;
  let drifted = false;
  for (const label of entry.faults) {
    summary.byLabel[label] = (summary.byLabel[label] ?? 0) + 1;
    if (isDriftKind(label)) drifted = true;
    else poisoned = true;
    if (label === 'truncated_last_line') file.truncated = true;
  }
  if (poisoned) {
    file.poisoned += 1;
    summary.totals.poisoned += 1;
  }
  if (drifted) {
    file.drifted += 1;
    summary.totals.drifted += 1;
  }
  if (!poisoned && !drifted) summary.totals.clean += 1;
}

async function writeOneFile(
  out: string,
  name: string,
  records: number,
  lines: Iterator<ChaosLine>,
  manifest: FileHandle,
  summary: ChaosSummary,
): Promise<ChaosFileSummary> {
  const index = summary.files.length + 1;
  const file: ChaosFileSummary = { file: name, index, records: 0, poisoned: 0, drifted: 0, truncated: false };
  const temp = join(out, `.${name}.tmp`);
  const handle = await open(temp, 'w');
  let data = '';
  let entries = '';
  try {
    for (let i = 0; i < records; i++) {
      const next = lines.next();
      if (next.done) throw new AetlError('internal', `The chaos stream ended early, in ${name}.`);
      const { text, terminated, entry } = next.value;
      data += terminated ? `${text}\n` : text;
      entries += `${JSON.stringify(entry)}\n`;
      file.records += 1;
      count(summary, file, entry);
      // writeFile on a handle writes all of it at the current position (write() may write less).
      if (data.length >= CHUNK_CHARS) {
        await handle.writeFile(data);
        data = '';
      }
      if (entries.length >= CHUNK_CHARS) {
        await manifest.writeFile(entries);
        entries = '';
      }
    }
    await handle.writeFile(data);
    await manifest.writeFile(entries);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw wrapWriteError(error, join(out, name));
  }
  await handle.close();
  await rename(temp, join(out, name));
  return file;
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (error) {
    throw wrapWriteError(error, path);
  }
}

function wrapWriteError(error: unknown, path: string): unknown {
  if (error instanceof AetlError) return error;
  return new AetlError('internal', `Could not write chaos file ${path}: ${errorMessage(error)}`, {
    hint: 'Check that the output folder is writable and the disk has space.',
    cause: error,
  });
}
