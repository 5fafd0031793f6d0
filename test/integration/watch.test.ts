/**
 * `agentic-etl watch`: reacts to files as they land (atomic renames, slow writers), ignores
 * hidden and temporary files, and on SIGINT finishes the file in progress and exits 0.
 */
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import { assertBuilt, runCli, spawnCli, tempDir, writePipeline } from '../helpers/cli.js';
import { mkdir } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';

interface LogLine {
  msg: string;
  event?: string;
  file?: string;
  records?: number;
}

/** Collects watch's JSON log lines and lets a test wait for one that matches. */
function follow(child: ChildProcess) {
  const lines: LogLine[] = [];
  let buffer = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffer.slice(0, nl)) as LogLine);
      buffer = buffer.slice(nl + 1);
      for (const wake of waiters.splice(0)) wake();
    }
  });
  async function until(predicate: (all: LogLine[]) => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(lines)) {
      if (Date.now() > deadline) throw new Error(`timed out; watch said:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
      await new Promise<void>((wake) => {
        waiters.push(wake);
        setTimeout(wake, 200);
      });
    }
  }
  return { lines, until };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((done) => child.on('exit', (code, signal) => done({ code, signal })));
}

const done = (lines: LogLine[], file: string) => lines.find((l) => l.event === 'file_done' && l.file === file);

describe('agentic-etl watch', () => {
  it('processes files as they land, once each, and ignores hidden and temporary files', async () => {
    assertBuilt();
    const dir = await tempDir('watch');
    await writePipeline(dir, CHAOS_CONTRACT_YAML);
    await mkdir(join(dir, 'landing'));
    const child = spawnCli(['watch', '--json'], dir);
    const exit = exitOf(child);
    const log = follow(child);
    await log.until((all) => all.some((l) => l.msg.startsWith('watching')));

    // Chaos writes each file to a hidden temp name and renames it into place.
    const chaos = await runCli(['chaos', '--out', 'landing', '--files', '3', '--records', '300', '--seed', '5', '--interval', '300'], dir);
    expect(chaos.code, chaos.stderr).toBe(0);
    await writeFile(join(dir, 'landing', '.hidden.ndjson'), '{"event_id":"h"}\n');
    await writeFile(join(dir, 'landing', 'partial.ndjson.tmp'), '{"event_id":"t"}\n');

    // A slow writer: the file must be taken once, whole, after its writes settle.
    const slow = join(dir, 'landing', 'slow.ndjson');
    const line = (i: number) => `${JSON.stringify({ event_id: `slow-${i}`, event_timestamp: '2026-03-01T00:00:00Z', user_id: i })}\n`;
    for (let i = 1; i <= 4; i += 1) {
      await appendFile(slow, line(i));
      await new Promise((r) => setTimeout(r, 150));
    }

    await log.until((all) => ['events-00001.ndjson', 'events-00002.ndjson', 'events-00003.ndjson', 'slow.ndjson'].every((f) => done(all, f)));
    await new Promise((r) => setTimeout(r, 800));
    // DuckDB is single-writer: a second process is told so, plainly, and changes nothing.
    const second = await runCli(['run'], dir);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/one (writing )?process|another/i);
    expect(second.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    child.kill('SIGINT');
    expect(await exit).toEqual({ code: 0, signal: null });

    const processed = log.lines.filter((l) => l.event === 'file_done').map((l) => l.file).sort();
    expect(processed).toEqual(['events-00001.ndjson', 'events-00002.ndjson', 'events-00003.ndjson', 'slow.ndjson']);
    expect(done(log.lines, 'slow.ndjson')?.records).toBe(4);
    expect(log.lines.at(-1)?.msg).toBe('stopped');
    const audit = await runCli(['audit', '--json'], dir);
    expect(audit.code, audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, files: 4 });
  });

  it('finishes the file in progress on SIGINT, then exits 0', async () => {
    assertBuilt();
    const dir = await tempDir('watch-stop');
    await writePipeline(dir, CHAOS_CONTRACT_YAML);
    const chaos = await runCli(['chaos', '--out', 'landing', '--files', '2', '--records', '150000', '--seed', '9', '--poison-rate', '0'], dir);
    expect(chaos.code, chaos.stderr).toBe(0);
    const child = spawnCli(['watch', '--json'], dir);
    const exit = exitOf(child);
    const log = follow(child);
    await log.until((all) => all.some((l) => l.event === 'file_started'));
    child.kill('SIGINT');
    expect(await exit).toEqual({ code: 0, signal: null });
    // The first file finished whole; the second was never started.
    const finished = log.lines.filter((l) => l.event === 'file_done');
    expect(finished).toEqual([expect.objectContaining({ file: 'events-00001.ndjson', records: 150000 })]);
    const audit = JSON.parse((await runCli(['audit', '--json'], dir)).stdout) as { ok: boolean; files: number };
    expect(audit).toMatchObject({ ok: true, files: 1 });
  });
});
