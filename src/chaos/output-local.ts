/**
 * Chaos output to a local folder: each file written under a hidden temp name and renamed
 * into place, so a watcher never sees half a file; the manifest is one open file appended
 * as lines are generated.
 */
import { mkdir, open, readdir, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AetlError, errorMessage } from '../util/errors.js';
import { chaosDir, manifestPath, summaryPath } from './manifest.js';
import type { ChaosFileWriter, ChaosOutput } from './output.js';

export async function localChaosOutput(out: string): Promise<ChaosOutput> {
  let manifest: FileHandle | undefined;

  const ensureManifest = async (): Promise<FileHandle> => {
    manifest ??= await open(manifestPath(out), 'w');
    return manifest;
  };
  const closeManifest = async (): Promise<void> => {
    const handle = manifest;
    manifest = undefined;
    await handle?.close();
  };

  return {
    location: out,

    async prepare(isOurs, overwrite) {
      await mkdir(out, { recursive: true });
      // Only names this generator writes (and their hidden temp names): other files are never touched.
      const earlier = (await readdir(out)).filter(
        (name) => name === '.chaos' || isOurs(name) || (name.startsWith('.') && name.endsWith('.tmp') && isOurs(name.slice(1, -4))),
      );
      if (earlier.length > 0) {
        if (!overwrite) throw earlierRun(out, earlier.length, earlier[0] as string);
        await Promise.all(earlier.map((name) => rm(join(out, name), { recursive: true, force: true })));
      }
      await mkdir(chaosDir(out), { recursive: true });
      await ensureManifest();
    },

    async openFile(name): Promise<ChaosFileWriter> {
      const temp = join(out, `.${name}.tmp`);
      const handle = await open(temp, 'w');
      let closed = false;
      const close = async (): Promise<void> => {
        if (!closed) await handle.close();
        closed = true;
      };
      return {
        // writeFile on a handle writes all of it at the current position (write() may write less).
        write: (text) => handle.writeFile(text),
        async commit() {
          await close();
          await rename(temp, join(out, name));
        },
        async abort() {
          await close().catch(() => undefined);
          await rm(temp, { force: true });
        },
      };
    },

    async appendManifest(text) {
      await (await ensureManifest()).writeFile(text);
    },

    async finish(summary) {
      await closeManifest();
      const path = summaryPath(out);
      try {
        await writeFile(`${path}.tmp`, summary);
        await rename(`${path}.tmp`, path);
      } catch (error) {
        throw chaosWriteFailed(path, error);
      }
    },

    close: closeManifest,
  };
}

export function earlierRun(out: string, count: number, example: string): AetlError {
  return new AetlError('usage', `The chaos output folder ${out} already holds ${count} entries of an earlier run (e.g. ${example}).`, {
    hint: 'Choose an empty folder, or allow overwriting to replace them.',
  });
}

export function chaosWriteFailed(path: string, error: unknown): unknown {
  if (error instanceof AetlError) return error;
  return new AetlError('internal', `Could not write chaos file ${path}: ${errorMessage(error)}`, {
    hint: 'Check that the output folder is writable and the disk has space.',
    cause: error,
  });
}
