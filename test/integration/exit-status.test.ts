/**
 * `run` tells a scheduler the truth, through the real CLI: `ok` only when every record
 * reached silver, `quarantined: N` for poison pills (still exit 0: nothing waits for a
 * person), and once a drift halts the table, exit 3 with `held: table halted` for the
 * files whose valid records are held — in the table and in `--json` alike.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, tempDir, writePipeline, type CliResult } from '../helpers/cli.js';

const CONTRACT = `table: events
columns:
  id:      {type: string, required: true}
  user_id: {type: integer, required: true}
`;

interface RunJson {
  exitCode: number;
  attention: Array<{ kind: string; table: string; incident?: string; message: string; hint: string }>;
  files: Array<{ key: string; status: string; state: string; summary: string; held?: number }>;
}

const lines = (count: number, user: (i: number) => unknown) =>
  Array.from({ length: count }, (_, i) => JSON.stringify({ id: `r${i}`, user_id: user(i) })).join('\n');

describe('run: exit status and status words', () => {
  let dir: string;
  const run = async (file: string, text: string): Promise<{ result: CliResult; json: RunJson }> => {
    await writeFile(join(dir, 'landing', file), text);
    const result = await runCli(['run', '--json'], dir);
    return { result, json: JSON.parse(result.stdout) as RunJson };
  };

  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('exit');
    await writePipeline(dir, CONTRACT);
    await mkdir(join(dir, 'landing'));
  });

  it('says ok and exits 0 when every record reached silver; says quarantined: N for poison pills, still 0', async () => {
    const clean = await run('a.ndjson', lines(20, (i) => i));
    expect(clean.result.code, clean.result.stderr).toBe(0);
    expect(clean.json).toMatchObject({ exitCode: 0, attention: [], files: [{ key: 'a.ndjson', status: 'done', state: 'ok', summary: 'ok' }] });
    const pills = await run('b.ndjson', lines(20, (i) => (i < 2 ? 'oops' : i)));
    expect(pills.result.code, pills.result.stderr).toBe(0);
    expect(pills.json.files).toEqual([expect.objectContaining({ key: 'b.ndjson', state: 'quarantined', summary: 'quarantined: 2' })]);
  });

  it('exits 3 and names the halted table once a drift halts it; later files say held: table halted', async () => {
    const drift = await run('c.ndjson', lines(20, (i) => `0b7c9e1e-0000-4000-8000-${String(i).padStart(12, '0')}`));
    expect(drift.result.code, drift.result.stderr).toBe(3);
    expect(drift.json.exitCode).toBe(3);
    expect(drift.json.attention).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'table_halted', table: 'events', incident: expect.any(String), hint: expect.stringMatching(/agentic-etl approve /) }),
      ]),
    );
    const later = await run('d.ndjson', lines(5, (i) => i));
    expect(later.result.code, later.result.stderr).toBe(3);
    expect(later.json.files).toEqual([expect.objectContaining({ key: 'd.ndjson', status: 'done', state: 'held', summary: 'held: table halted (5 held)', held: 5 })]);
  });

  it('says the same to a person: the status column and a "needs attention" line', async () => {
    await writeFile(join(dir, 'landing', 'e.ndjson'), lines(3, (i) => i));
    const result = await runCli(['run'], dir);
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toMatch(/e\.ndjson.*held: table halted \(3 held\)/);
    expect(result.stdout).not.toMatch(/│ ok /);
    expect(result.stderr).toMatch(/needs attention: table `events` is halted/);
  });

  it('documents the exit codes in --help', async () => {
    for (const args of [['--help'], ['run', '--help']]) {
      const help = await runCli(args, dir);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Exit codes:[\s\S]*0 +ok[\s\S]*1 +a file failed[\s\S]*2 +a usage or configuration error[\s\S]*3 +needs attention/);
    }
  });
});
