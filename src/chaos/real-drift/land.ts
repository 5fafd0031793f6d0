/**
 * Lands a corpus step's real data in a folder: a shared real-data file as it is, or an npm
 * package's JSON array as NDJSON. Also counts the records a landed file holds, from its
 * text and independently of the readers, so that nothing the pipeline drops goes unseen.
 */
import { existsSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AetlError } from '../../util/errors.js';
import type { DriftStep } from './corpus.js';

/** The repository root: this file is src/chaos/real-drift/land.ts or dist/chaos/real-drift/land.js. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** The shared real-data folder: `$AETL_REALDATA`, else `../shared/realdata` beside the repository. */
export function realdataDir(): string {
  return process.env.AETL_REALDATA ?? join(ROOT, '..', 'shared', 'realdata');
}

async function packageFile(name: string, version: string, path: string): Promise<string> {
  const folder = join(ROOT, 'node_modules', name);
  const manifest = join(folder, 'package.json');
  if (!existsSync(manifest)) throw new AetlError('not_found', `npm package ${name} is not installed`, { hint: 'run `npm ci`: it is a pinned devDependency of the real-drift corpus' });
  const installed = (JSON.parse(await readFile(manifest, 'utf8')) as { version: string }).version;
  if (installed !== version) throw new AetlError('usage', `npm package ${name} is ${installed}, the corpus needs ${version}`, { hint: 'run `npm ci`' });
  return join(folder, path);
}

/** Writes the step's data as `folder/step.file` and returns that path. */
export async function landStep(step: DriftStep, folder: string): Promise<string> {
  const target = join(folder, step.file);
  switch (step.source.kind) {
    case 'shared': {
      const from = join(realdataDir(), step.source.path);
      if (!existsSync(from)) throw new AetlError('not_found', `real-data file ${from} is missing`, { hint: 'set AETL_REALDATA to the shared realdata folder' });
      await copyFile(from, target);
      return target;
    }
    case 'npm-json-array': {
      const items = JSON.parse(await readFile(await packageFile(step.source.package, step.source.version, step.source.path), 'utf8')) as unknown[];
      await writeFile(target, items.map((item) => JSON.stringify(item)).join('\n') + '\n');
      return target;
    }
  }
}

/**
 * The line numbers of a landed file's records, counted from its text: for CSV every
 * non-blank line after the header, for NDJSON every non-blank line. (No corpus file has
 * quoted line breaks.)
 */
export function recordLines(file: string, text: string): number[] {
  const lines = text.split('\n');
  const first = file.endsWith('.csv') ? 1 : 0;
  return lines.flatMap((line, i) => (i >= first && line.trim() !== '' ? [i + 1] : []));
}
