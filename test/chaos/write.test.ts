import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChaosOptions } from '../../src/chaos/generate.js';
import { manifestPath, readManifest, summaryPath } from '../../src/chaos/manifest.js';
import { writeChaos, type ChaosFileSummary, type ChaosSummary } from '../../src/chaos/write.js';
import { AetlError } from '../../src/util/errors.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'aetl-chaos-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const OPTIONS: ChaosOptions = { files: 4, records: 300, poisonRate: 0.1, seed: 99, drift: [{ kind: 'new_column', fromFile: 3 }] };

/** Every file under `dir` (hidden ones included) with its bytes. */
async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(path.slice(dir.length), await readFile(path));
    }
  }
  return files;
}

describe('writeChaos', () => {
  it('writes byte-identical output for the same seed, and different output for another', async () => {
    const [a, b, c] = [await tempDir(), await tempDir(), await tempDir()];
    await writeChaos({ ...OPTIONS, out: a });
    await writeChaos({ ...OPTIONS, out: b });
    await writeChaos({ ...OPTIONS, seed: 100, out: c });
    const [sa, sb, sc] = [await snapshot(a), await snapshot(b), await snapshot(c)];
    expect([...sa.keys()].sort()).toEqual([
      '/.chaos/manifest.ndjson',
      '/.chaos/summary.json',
      '/events-00001.ndjson',
      '/events-00002.ndjson',
      '/events-00003.ndjson',
      '/events-00004.ndjson',
    ]);
    expect([...sb.keys()].sort()).toEqual([...sa.keys()].sort());
    for (const [name, bytes] of sa) expect(sb.get(name)?.equals(bytes), name).toBe(true);
    expect(sc.get('/events-00001.ndjson')?.equals(sa.get('/events-00001.ndjson') as Buffer)).toBe(false);
  });

  it('writes one manifest entry per line, numbered as a line reader numbers them, and no temp files', async () => {
    const out = await tempDir();
    const seen: ChaosFileSummary[] = [];
    const onFile = (f: ChaosFileSummary): void => {
      // When a file appears it is whole, its temp name is gone and its manifest lines are written.
      seen.push(f);
      expect(readdirSync(out).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      expect(readFileSync(join(out, f.file), 'utf8').split('\n').filter((l) => l !== '')).toHaveLength(300);
      expect(readFileSync(manifestPath(out), 'utf8').split('\n').filter((l) => l.includes(`"file":"${f.file}"`))).toHaveLength(300);
    };
    const summary = await writeChaos({ ...OPTIONS, out, truncateRate: 0.5, onFile });
    const manifest = await readManifest(out);
    expect(manifest).toHaveLength(4 * 300);
    const names = (await readdir(out)).sort();
    expect(names).toEqual(['.chaos', 'events-00001.ndjson', 'events-00002.ndjson', 'events-00003.ndjson', 'events-00004.ndjson']);
    expect(await readdir(join(out, '.chaos'))).toHaveLength(2);

    let truncatedFiles = 0;
    for (const name of names.filter((n) => n.endsWith('.ndjson'))) {
      const text = await readFile(join(out, name), 'utf8');
      const lines = text.split('\n');
      const entries = manifest.filter((e) => e.file === name);
      const truncated = entries.some((e) => e.faults.includes('truncated_last_line'));
      if (truncated) {
        truncatedFiles += 1;
        expect(text.endsWith('\n')).toBe(false);
        expect(() => JSON.parse(lines.at(-1) as string)).toThrow();
      } else {
        expect(lines.pop()).toBe('');
      }
      expect(lines).toHaveLength(300);
      expect(entries.map((e) => e.line)).toEqual(lines.map((_, i) => i + 1));
      lines.forEach((line, i) => {
        expect(line).not.toBe('');
        const entry = entries[i];
        if (entry?.event_id) expect((JSON.parse(line) as { event_id: string }).event_id).toBe(entry.event_id);
      });
    }
    expect(truncatedFiles).toBe(2); // one per block of two files

    expect(seen.map((f) => f.file)).toEqual(summary.files.map((f) => f.file));
    const onDisk = JSON.parse(await readFile(summaryPath(out), 'utf8')) as ChaosSummary;
    expect(onDisk).toEqual(summary);
    expect(summary.complete).toBe(true);
    expect(summary.totals.records).toBe(manifest.length);
    expect(summary.totals.drifted).toBe(manifest.filter((e) => e.faults.includes('new_column')).length);
    expect(summary.totals.drifted).toBe(600);
    expect(summary.byExpect.quarantine).toBe(manifest.filter((e) => e.expect === 'quarantine').length);
    expect(summary.files.filter((f) => f.truncated)).toHaveLength(2);
    expect(summary.totals.clean + summary.totals.poisoned + summary.totals.drifted).toBeGreaterThanOrEqual(summary.totals.records);
  });

  it('refuses a folder holding an earlier run unless told to overwrite', async () => {
    const out = await tempDir();
    await writeChaos({ ...OPTIONS, files: 3, out });
    await writeFile(join(out, 'keep-me.txt'), 'not chaos');
    await writeFile(join(out, 'events-2024.ndjson'), '{"other":"data"}\n');
    await writeFile(join(out, '.events-00007.ndjson.tmp'), '{"half":');
    await expect(writeChaos({ ...OPTIONS, files: 1, out })).rejects.toThrow(AetlError);
    await writeChaos({ ...OPTIONS, files: 1, out, overwrite: true });
    expect((await readdir(out)).sort()).toEqual(['.chaos', 'events-00001.ndjson', 'events-2024.ndjson', 'keep-me.txt']);
    expect(await readManifest(out)).toHaveLength(300);
  });

  it('paces files and stops cleanly when aborted', async () => {
    const out = await tempDir();
    const controller = new AbortController();
    const started = Date.now();
    const summary = await writeChaos({
      ...OPTIONS,
      files: 10,
      records: 10,
      out,
      intervalMs: 40,
      signal: controller.signal,
      onFile: (f) => f.index === 2 && controller.abort(),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    expect(summary.complete).toBe(false);
    expect(summary.files.map((f) => f.file)).toEqual(['events-00001.ndjson', 'events-00002.ndjson']);
    expect((await readdir(out)).filter((n) => !n.startsWith('.'))).toHaveLength(2);
    expect((await readFile(manifestPath(out), 'utf8')).trim().split('\n')).toHaveLength(20);
  });

  it('says where to look when there is no manifest', async () => {
    const out = await tempDir();
    await expect(readManifest(out)).rejects.toMatchObject({ code: 'not_found' });
  });
});
