/**
 * `agentic-etl watch`: reacts to files as they land (atomic renames, slow writers), ignores
 * hidden and temporary files, and on SIGINT finishes the file in progress and exits 0; a
 * failed file is tried again in the same session after a backoff the log announces; a
 * watcher that fails ends the watch with a clear message and exit 1, never a stack trace.
 */
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import pg from 'pg';
import { writeChaos } from '../../src/chaos/write.js';
import { audit } from '../../src/ledger/audit.js';
import { assertBuilt, runCli, spawnCli, tempDir, writePipeline } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';
import { describePostgres, freshDatabase } from '../helpers/postgres.js';
import { mkdir } from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';

interface LogLine {
  msg: string;
  event?: string;
  file?: string;
  records?: number;
  attempt?: number;
  retryInMs?: number;
  retryAt?: string;
  code?: string;
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

    // Chaos writes each file to a hidden temp name and renames it into place, one by one.
    await writeChaos({ out: join(dir, 'landing'), files: 3, records: 300, poisonRate: 0.02, seed: 5, intervalMs: 300 });
    await writeFile(join(dir, 'landing', '.hidden.ndjson'), '{"event_id":"h"}\n');
    await writeFile(join(dir, 'landing', 'partial.ndjson.tmp'), '{"event_id":"t"}\n');

    // A slow writer: the file must be taken once, whole, after its writes settle. Its
    // pauses are a sixth of watch's settle time (300 ms), so a loaded machine that
    // stretches them still leaves the file unsettled between writes (the longest gap is
    // reported with any failure).
    const slow = join(dir, 'landing', 'slow.ndjson');
    const line = (i: number) => `${JSON.stringify({ event_id: `slow-${i}`, event_timestamp: '2026-03-01T00:00:00Z', user_id: i })}\n`;
    let lastWrite: number | undefined;
    let longestGap = 0;
    for (let i = 1; i <= 4; i += 1) {
      await appendFile(slow, line(i));
      const now = Date.now();
      if (lastWrite !== undefined) longestGap = Math.max(longestGap, now - lastWrite);
      lastWrite = now;
      if (i < 4) await new Promise((r) => setTimeout(r, 50));
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
    const writes = `the slow writer's longest gap between writes: ${longestGap} ms`;
    expect(processed, writes).toEqual(['events-00001.ndjson', 'events-00002.ndjson', 'events-00003.ndjson', 'slow.ndjson']);
    expect(done(log.lines, 'slow.ndjson')?.records, writes).toBe(4);
    expect(log.lines.at(-1)?.msg).toBe('stopped');
    const audit = await runCli(['audit', '--json'], dir);
    expect(audit.code, audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, files: 4 });
  });

  it('finishes the file in progress on SIGINT, then exits 0', async () => {
    assertBuilt();
    const dir = await tempDir('watch-stop');
    await writePipeline(dir, CHAOS_CONTRACT_YAML);
    // One file long enough to be caught in progress (it takes hundreds of times longer than
    // the test takes to answer its start), and a small one after it that must never start.
    const RECORDS = 40_000;
    await writeChaos({ out: join(dir, 'landing'), files: 1, records: RECORDS, poisonRate: 0, seed: 9 });
    const [firstLine] = (await readFile(join(dir, 'landing', 'events-00001.ndjson'), 'utf8')).split('\n');
    await writeFile(join(dir, 'landing', 'events-00002.ndjson'), `${firstLine}\n`);
    const child = spawnCli(['watch', '--json'], dir);
    const exit = exitOf(child);
    const log = follow(child);
    await log.until((all) => all.some((l) => l.event === 'file_started'));
    child.kill('SIGINT');
    expect(await exit).toEqual({ code: 0, signal: null });
    // The first file finished whole; the second was never started.
    expect(log.lines.filter((l) => l.event === 'file_started').map((l) => l.file)).toEqual(['events-00001.ndjson']);
    const finished = log.lines.filter((l) => l.event === 'file_done');
    expect(finished).toEqual([expect.objectContaining({ file: 'events-00001.ndjson', records: RECORDS })]);
    const report = await withWarehouse(join(dir, 'warehouse.duckdb'), audit);
    expect(report.ok).toBe(true);
    expect(report.files.map((file) => file.records)).toEqual([RECORDS]);
  });
});

describe('agentic-etl watch when the watcher fails', () => {
  it('reports a landing folder that is missing with its message and fix, exit 1, no stack trace', async () => {
    assertBuilt();
    const dir = await tempDir('watch-missing');
    await writePipeline(dir, CHAOS_CONTRACT_YAML);
    const child = spawnCli(['watch', '--json'], dir);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const log = follow(child);
    const exit = await exitOf(child);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(stderr).toMatch(/error: source folder .*landing does not exist/);
    expect(stderr).toMatch(/fix: Create the folder/);
    expect(stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    expect(stderr).not.toMatch(/internal error|Unhandled|Node\.js v/);
    expect(log.lines.at(-1)).toMatchObject({ event: 'watch_failed', code: 'source_not_found' });
  });
});

describePostgres('agentic-etl watch retries a failed file', () => {
  it('tries it again after a backoff it announces, and takes it once the cause is gone — in the same session', async () => {
    assertBuilt();
    const dir = await tempDir('watch-retry');
    const url = await freshDatabase('watchretry');
    const sql = async (text: string) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(text).finally(() => client.end());
    };
    await writeFile(join(dir, 'events.contract.yaml'), 'table: events\ncolumns:\n  id: {type: integer, required: true}\n');
    await writeFile(join(dir, 'agentic-etl.yaml'), `pipeline: test\nsource: ./landing\nwarehouse: ${url}\ncontract: ./events.contract.yaml\n`);
    await mkdir(join(dir, 'landing'));
    await writeFile(join(dir, 'landing', 'a.ndjson'), '{"id":1}\n');
    expect((await runCli(['run'], dir)).code).toBe(0); // creates the tables
    await sql('ALTER TABLE events ADD CONSTRAINT id_not_13 CHECK (id <> 13)');
    await writeFile(join(dir, 'landing', 'b.ndjson'), '{"id":13}\n');

    const child = spawnCli(['watch', '--json'], dir);
    const exit = exitOf(child);
    const log = follow(child);
    const retries = (all: LogLine[]) => all.filter((l) => l.event === 'file_retry_scheduled' && l.file === 'b.ndjson');
    // The backlog's failure, then the retry's: each announced with the delay, doubling.
    await log.until((all) => retries(all).length >= 2);
    const [first, second] = retries(log.lines);
    expect(first).toMatchObject({ attempt: 1, retryInMs: 1000, msg: expect.stringMatching(/b\.ndjson: try 2 in 1s \(at \d\d:\d\d:\d\d UTC\)/) });
    expect(second).toMatchObject({ attempt: 2, retryInMs: 2000 });
    expect(Date.parse(second!.retryAt!)).toBeGreaterThan(Date.parse(first!.retryAt!));
    expect(log.lines.filter((l) => l.event === 'file_failed' && l.file === 'b.ndjson')).toHaveLength(2);

    await sql('ALTER TABLE events DROP CONSTRAINT id_not_13');
    await log.until((all) => done(all, 'b.ndjson') !== undefined);
    child.kill('SIGINT');
    expect(await exit).toEqual({ code: 0, signal: null });
    const audited = await runCli(['audit', '--json'], dir);
    expect(JSON.parse(audited.stdout)).toMatchObject({ ok: true, files: 2 });
  });
});
