/**
 * Bad input end to end through the real CLI: one landing file per kind of damage (BOM +
 * CRLF, ragged CSV, CR-only line ends, invalid UTF-8, a 10 MB line, 100,000-deep nesting,
 * an empty file, a corrupt and a truncated gzip, a broken JSON array). The run must exit 0, count every
 * record the file holds (counted here from how the file was built, not from the readers),
 * quarantine every bad part as `malformed` with a message naming the file, the place and
 * the fix, keep the raw bytes, put the good neighbours in silver, and pass `audit`.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, gzipSync, gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_LINE_BYTES, MALFORMED_RAW_KEEP_BYTES } from '../../src/readers/reader.js';
import { assertBuilt, runCli, tempDir, writePipeline, type CliResult } from '../helpers/cli.js';
import { withWarehouse } from '../helpers/warehouse.js';

const CONTRACT = `table: events
columns:
  id:   {type: integer, required: true}
  name: {type: string}
`;

const STACK_TRACE = /\n\s+at .*:\d+:\d+/;

/** What a file must yield: its record count, the bad parts by line, the good ones by line. */
interface Expected {
  records: number;
  /** Quarantined line → patterns its message must match (besides the file name). */
  bad: Map<number, RegExp[]>;
  /** Silver line → [id, name]. */
  silver: Map<number, [number, string | null]>;
}

interface BadFile {
  name: string;
  bytes: Buffer;
  expected: Expected;
}

const json = (id: number, name: string): string => JSON.stringify({ id, name });

/** NDJSON from line parts: every non-blank line is a record; `valid` maps a line to its silver row. */
function ndjsonFile(name: string, lines: Buffer[], eol: string, valid: Map<number, [number, string]>, bad: Map<number, RegExp[]>): BadFile {
  const bytes = Buffer.concat(lines.flatMap((line) => [line, Buffer.from(eol)]));
  const records = lines.filter((line) => line.toString('latin1').trim() !== '').length;
  return { name, bytes, expected: { records, bad, silver: valid } };
}

/** The longest output any prefix of a damaged gzip decodes to: what the file still holds. */
function decodableText(gz: Buffer): string {
  let out = Buffer.alloc(0);
  for (let k = 1; k <= gz.length; k++) {
    try {
      out = gunzipSync(gz.subarray(0, k), { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      break; // the damage: no longer prefix decodes
    }
  }
  return out.toString('latin1');
}

/**
 * A damaged gzip of NDJSON: each complete line of the decodable text is a record (silver
 * when it is a valid row), a cut-off last line is a malformed record, and one more
 * malformed record reports the damage.
 */
function damagedGzip(name: string, gz: Buffer): BadFile {
  const parts = decodableText(gz).split('\n');
  const tail = parts.pop() as string;
  const silver = new Map<number, [number, string]>();
  const bad = new Map<number, RegExp[]>();
  parts.forEach((text, i) => {
    try {
      const row = JSON.parse(text) as { id?: unknown; name?: unknown };
      if (Number.isInteger(row.id) && typeof row.name === 'string') silver.set(i + 1, [row.id as number, row.name]);
      else bad.set(i + 1, [/./]);
    } catch {
      bad.set(i + 1, [new RegExp(`line ${i + 1} is not valid JSON`), /fix the producer or re-export/]);
    }
  });
  let lines = parts.length;
  if (tail !== '') bad.set(++lines, [new RegExp(`line ${lines} is not valid JSON`), /fix the producer or re-export/]);
  bad.set(lines + 1, [new RegExp(`is not a valid gzip stream from line ${lines + 1} on`), /re-upload or remove the file/]);
  return { name, bytes: gz, expected: { records: lines + 1, bad, silver } };
}

function buildFiles(): BadFile[] {
  const files: BadFile[] = [];
  const rows = (n: number) => Array.from({ length: n }, (_, i) => json(i + 1, `n${i + 1}`)).join('\n') + '\n';

  // UTF-8 BOM and CRLF line ends, a blank line in between: the BOM is not part of line 1's JSON.
  const bomLines = [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json(1, 'a'))]), Buffer.from(json(2, 'b')), Buffer.from(''), Buffer.from(json(3, 'c'))];
  files.push(ndjsonFile('bom.ndjson', bomLines, '\r\n', new Map([[1, [1, 'a']], [2, [2, 'b']], [4, [3, 'c']]]), new Map()));

  // CSV with CRLF, quoted fields (a comma, doubled quotes, a line break inside quotes) and a ragged row.
  const csvRows = ['1,"x, y"', '2,"say ""hi"""', '3,c,extra', '4,"multi\r\nline"', '5,plain'];
  const csvLine = (i: number) => 2 + csvRows.slice(0, i).reduce((n, row) => n + row.split('\r\n').length, 0);
  files.push({
    name: 'crlf.csv',
    bytes: Buffer.from(['id,name', ...csvRows].join('\r\n') + '\r\n'),
    expected: {
      records: csvRows.length,
      bad: new Map([[csvLine(2), [new RegExp(`line ${csvLine(2)}: row has 3 fields, header has 2`), /fix the row or the header/]]]),
      silver: new Map<number, [number, string]>([[csvLine(0), [1, 'x, y']], [csvLine(1), [2, 'say "hi"']], [csvLine(3), [4, 'multi\nline']], [csvLine(4), [5, 'plain']]]),
    },
  });

  // CR-only line ends (old Mac exports): every row a record; a quoted field may span them.
  files.push({
    name: 'cr-only.csv',
    bytes: Buffer.from('id,name\r1,a\r2,"b\rc"\r3,x,extra\r\r4,d'),
    expected: {
      records: 4,
      bad: new Map([[5, [/line 5: row has 3 fields, header has 2/, /fix the row or the header/]]]),
      silver: new Map<number, [number, string]>([[2, [1, 'a']], [3, [2, 'b\nc']], [7, [4, 'd']]]),
    },
  });
  files.push(
    ndjsonFile('cr-only.ndjson', [Buffer.from(json(1, 'a')), Buffer.from(json(2, 'b')), Buffer.from('{bad'), Buffer.from(json(3, 'c'))], '\r',
      new Map([[1, [1, 'a']], [2, [2, 'b']], [4, [3, 'c']]]), new Map([[3, [/line 3 is not valid JSON/, /fix the producer or re-export/]]])),
  );

  const badUtf8 = Buffer.concat([Buffer.from('{"id":2,"name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
  files.push(
    ndjsonFile('invalid-utf8.ndjson', [Buffer.from(json(1, 'a')), badUtf8, Buffer.from(json(3, 'c'))], '\n', new Map([[1, [1, 'a']], [3, [3, 'c']]]),
      new Map([[2, [/line 2 is not valid UTF-8/, /raw holds its bytes as base64/, /re-export the file as UTF-8/]]])),
  );

  const huge = Buffer.from(json(2, 'x'.repeat(10 * 1024 * 1024)));
  files.push(
    ndjsonFile('huge-line.ndjson', [Buffer.from(json(1, 'a')), huge, Buffer.from(json(3, 'c'))], '\n', new Map([[1, [1, 'a']], [3, [3, 'c']]]),
      new Map([[2, [new RegExp(`line 2 is ${huge.length} bytes, over the limit of ${DEFAULT_MAX_LINE_BYTES} bytes`), /raise max_line_bytes/]]])),
  );

  const deep = Buffer.from(`{"id":1,"name":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
  files.push(
    ndjsonFile('deep.ndjson', [deep, Buffer.from(json(2, 'b'))], '\n', new Map([[2, [2, 'b']]]),
      new Map([[1, [/line 1 is nested more than \d+ levels deep/, /flatten the record/]]])),
  );

  files.push({ name: 'empty.ndjson', bytes: Buffer.alloc(0), expected: { records: 0, bad: new Map(), silver: new Map() } });

  // Bytes flipped in the middle of the deflate data; and a stream cut at 60 %.
  const gz = gzipSync(rows(50));
  const corrupt = Buffer.from(gz);
  const middle = Math.floor(gz.length / 2);
  for (let i = middle - 4; i < middle + 4; i++) corrupt[i] = (corrupt[i] as number) ^ 0xff;
  files.push(damagedGzip('corrupt.ndjson.gz', corrupt));
  files.push(damagedGzip('truncated.ndjson.gz', gz.subarray(0, Math.floor(gz.length * 0.6))));

  // A JSON array with a broken element, then junk where `,` or `]` should be, and no `]`.
  const elements = [json(1, 'a'), '{"id":2,"name": oops}', json(3, 'c')];
  const head = `[${elements.join(',')} `;
  const junk = 'garbage {"id":4}';
  files.push({
    name: 'not-json.json',
    bytes: Buffer.from(head + junk),
    expected: {
      records: elements.length + 1,
      bad: new Map([
        [2, [/element 2 \(byte \d+\) is not valid JSON/, /fix the producer or re-export/]],
        [4, [new RegExp(`is not valid JSON at byte ${Buffer.byteLength(head)}: expected ',' or '\\]' after element 3`), /fix or re-export the file/]],
      ]),
      silver: new Map([[1, [1, 'a']], [3, [3, 'c']]]),
    },
  });
  return files;
}

interface FileSummary {
  key: string;
  status: string;
  records: number;
  silver: number;
  quarantined: number;
}

interface Quarantined {
  recordId: string;
  file: string;
  line: number;
  raw: string;
  rawEncoding: 'utf8' | 'base64';
  reasons: Array<{ kind: string; column: string | null; message: string }>;
}

describe('agentic-etl run on bad input', () => {
  let dir: string;
  let files: BadFile[];
  let run: CliResult;
  let summaries: Map<string, FileSummary>;
  let quarantined: Quarantined[];
  let silver: Array<{ file: string; line: number; id: number; name: string | null }>;
  const stderrs: string[] = [];

  const cli = async (args: string[]): Promise<CliResult> => {
    const result = await runCli(args, dir);
    stderrs.push(`${args.join(' ')}\n${result.stderr}`);
    return result;
  };

  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('bad-input');
    await writePipeline(dir, CONTRACT);
    await mkdir(join(dir, 'landing'));
    files = buildFiles();
    for (const file of files) await writeFile(join(dir, 'landing', file.name), file.bytes);
    run = await cli(['run', '--json']);
    summaries = new Map((JSON.parse(run.stdout) as { files: FileSummary[] }).files.map((f) => [f.key, f]));
    quarantined = JSON.parse((await cli(['quarantine', 'list', '--json', '--limit', '1000'])).stdout) as Quarantined[];
    silver = await withWarehouse(join(dir, 'warehouse.duckdb'), async (wh) =>
      (await wh.query('SELECT "_file" AS file, "_line" AS line, "id" AS id, "name" AS name FROM "events"')).map((row) => ({
        file: String(row.file),
        line: Number(row.line),
        id: Number(row.id),
        name: row.name === null ? null : String(row.name),
      })),
    );
  });

  it('exits 0 and processes every file: bad data is not a failure', () => {
    expect(run.code, run.stderr).toBe(0);
    expect([...summaries.keys()].sort()).toEqual(files.map((f) => f.name).sort());
    for (const summary of summaries.values()) expect(summary.status, summary.key).toBe('done');
  });

  it('counts every record each file holds, and routes each to exactly one place', () => {
    for (const file of files) {
      const summary = summaries.get(file.name)!;
      expect({ file: file.name, records: summary.records }).toEqual({ file: file.name, records: file.expected.records });
      expect(summary.silver + summary.quarantined, file.name).toBe(summary.records);
      expect(summary.quarantined, file.name).toBe(file.expected.bad.size);
      expect(summary.silver, file.name).toBe(file.expected.silver.size);
    }
  });

  it('quarantines every bad part as malformed, with a message naming the file, the place and the fix', () => {
    for (const file of files) {
      const mine = quarantined.filter((q) => q.file === file.name);
      expect(mine.map((q) => q.line).sort((a, b) => a - b), file.name).toEqual([...file.expected.bad.keys()].sort((a, b) => a - b));
      for (const q of mine) {
        expect(q.reasons, `${file.name}:${q.line}`).toHaveLength(1);
        const [reason] = q.reasons;
        expect(reason!.kind).toBe('malformed');
        expect(reason!.message.startsWith(file.name), reason!.message).toBe(true);
        for (const pattern of file.expected.bad.get(q.line)!) expect(reason!.message).toMatch(pattern);
        expect(reason!.message).toMatch(/[:;] (fix|raise|flatten|re-export|re-upload)[^:;]*$/); // ends with what to do
      }
    }
  });

  it('keeps the raw bytes: base64 for invalid UTF-8, the first 64 KiB of an over-limit line', async () => {
    const byName = new Map(files.map((f) => [f.name, f]));
    const lineOf = (name: string, line: number) => byName.get(name)!.bytes.toString('latin1').split(name.startsWith('cr-only') ? /\r\n|\n|\r/ : /\r?\n/)[line - 1]!;

    const utf8 = quarantined.find((q) => q.file === 'invalid-utf8.ndjson')!;
    const shownUtf8 = JSON.parse((await cli(['quarantine', 'show', utf8.recordId, '--json'])).stdout) as Quarantined;
    expect(shownUtf8.rawEncoding).toBe('base64');
    expect(Buffer.from(shownUtf8.raw, 'base64')).toEqual(Buffer.from(lineOf('invalid-utf8.ndjson', 2), 'latin1'));

    const huge = quarantined.find((q) => q.file === 'huge-line.ndjson')!;
    const shownHuge = JSON.parse((await cli(['quarantine', 'show', huge.recordId, '--json'])).stdout) as Quarantined;
    expect(shownHuge.rawEncoding).toBe('utf8');
    expect(shownHuge.raw.length).toBe(MALFORMED_RAW_KEEP_BYTES);
    expect(shownHuge.raw).toBe(lineOf('huge-line.ndjson', 2).slice(0, MALFORMED_RAW_KEEP_BYTES));

    const text = await cli(['quarantine', 'show', huge.recordId]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`huge-line.ndjson:2`);
    expect(text.stdout).toMatch(/malformed: huge-line\.ndjson line 2 is \d+ bytes/);

    // Every other bad line is kept whole, exactly as in the file.
    for (const q of quarantined) {
      if (['invalid-utf8.ndjson', 'huge-line.ndjson', 'not-json.json'].includes(q.file) || q.file.endsWith('.gz')) continue;
      expect(q.rawEncoding).toBe('utf8');
      expect(q.raw, `${q.file}:${q.line}`).toBe(lineOf(q.file, q.line));
    }
    const notJson = quarantined.filter((q) => q.file === 'not-json.json').map((q) => q.raw);
    expect(notJson).toEqual(['{"id":2,"name": oops}', 'garbage {"id":4}']);
    // A damaged gzip's cut-off line is kept; the damage itself holds no bytes (they stay in the source file).
    const cut = quarantined.filter((q) => q.file === 'truncated.ndjson.gz');
    expect(cut[0]!.raw.length).toBeGreaterThan(0);
    expect(cut.at(-1)!.raw).toBe('');
    expect(cut.at(-1)!.reasons[0]!.message).toContain('the rest is only in the source file');
  });

  it('puts the valid neighbours in silver, typed and in their lines', () => {
    for (const file of files) {
      const mine = silver.filter((row) => row.file === file.name).sort((a, b) => a.line - b.line);
      const expected = [...file.expected.silver].sort(([a], [b]) => a - b).map(([line, [id, name]]) => ({ file: file.name, line, id, name }));
      expect(mine).toEqual(expected);
    }
    // The damaged gzips still gave their good records (20+ each), not just the damage report.
    expect(files.find((f) => f.name === 'corrupt.ndjson.gz')!.expected.silver.size).toBeGreaterThan(5);
    expect(files.find((f) => f.name === 'truncated.ndjson.gz')!.expected.silver.size).toBeGreaterThan(20);
  });

  it('passes audit for every file, the empty one included; the recount from the source agrees, but for the damaged gzips', async () => {
    const audit = await cli(['audit', '--json']);
    expect(audit.code, audit.stdout + audit.stderr).toBe(0);
    const report = JSON.parse(audit.stdout) as { recount: { notRecounted: Record<string, Array<{ key: string; note: string }>> } };
    expect(report).toMatchObject({ ok: true, files: files.length, offending: [], recount: { equal: files.length - 2, differs: 0 } });
    expect(report.recount.notRecounted).toEqual({
      damaged: ['corrupt.ndjson.gz', 'truncated.ndjson.gz'].map((key) => ({ key, note: expect.stringMatching(/^its gzip stream is damaged/) })),
    });
  });

  it('prints no stack trace anywhere', () => {
    expect(stderrs.length).toBeGreaterThan(3);
    for (const stderr of stderrs) expect(stderr).not.toMatch(STACK_TRACE);
  });
});

describe('agentic-etl run on text it must decode or refuse', () => {
  let dir: string;
  let first: CliResult;

  beforeAll(async () => {
    assertBuilt();
    dir = await tempDir('bad-text');
    await writePipeline(dir, CONTRACT);
    await mkdir(join(dir, 'landing'));
    const utf16 = (text: string, order: 'le' | 'be') => {
      const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
      return order === 'le' ? le : Buffer.from(le).swap16();
    };
    // Excel's "Unicode text" export: UTF-16 LE with a BOM and CRLF; and UTF-16 BE NDJSON inside gzip.
    await writeFile(join(dir, 'landing', 'utf16le.csv'), utf16('id,name\r\n1,Zoë\r\n2,"😀, ""hi"""\r\n', 'le'));
    await writeFile(join(dir, 'landing', 'utf16be.ndjson.gz'), gzipSync(utf16(`${json(3, 'Straße')}\n${json(4, '中文')}\n`, 'be')));
    // A Latin-1 header: refused whole, never its first row taken for the header.
    await writeFile(join(dir, 'landing', 'latin1-header.csv'), Buffer.concat([Buffer.from('id,n'), Buffer.from([0xe4]), Buffer.from('me\n5,a\n6,b\n')]));
    first = await runCli(['run', '--json'], dir);
  });

  it('reads UTF-16 files (LE, and BE inside gzip) into silver', async () => {
    const files = (JSON.parse(first.stdout) as { files: Array<FileSummary & { code?: string }> }).files;
    expect(files.filter((f) => f.status === 'done').map((f) => [f.key, f.records, f.silver])).toEqual([
      ['utf16be.ndjson.gz', 2, 2],
      ['utf16le.csv', 2, 2],
    ]);
    const names = await withWarehouse(join(dir, 'warehouse.duckdb'), async (wh) =>
      (await wh.query('SELECT "id" AS id, "name" AS name FROM "events" ORDER BY "id"')).map((row) => [Number(row.id), String(row.name)]),
    );
    expect(names).toEqual([[1, 'Zoë'], [2, '😀, "hi"'], [3, 'Straße'], [4, '中文']]);
  });

  it('refuses a CSV whose header is not UTF-8: the run fails that file with the fix, and the file stays', async () => {
    expect(first.code).toBe(1);
    const files = (JSON.parse(first.stdout) as { files: Array<{ key: string; status: string; code?: string; message?: string; hint?: string }> }).files;
    expect(files.find((f) => f.key === 'latin1-header.csv')).toMatchObject({
      status: 'failed',
      code: 'csv_header_invalid',
      message: expect.stringMatching(/^latin1-header\.csv line 1: the CSV header is not valid UTF-8/),
      hint: expect.stringMatching(/re-export the file as UTF-8/),
    });
    // Nothing of it was loaded, it is still in the landing zone, and the next run tries it again.
    const again = await runCli(['run'], dir);
    expect(again.code).toBe(1);
    expect(again.stdout + again.stderr).toMatch(/latin1-header\.csv: fix: re-export the file as UTF-8/);
    expect(again.stderr).not.toMatch(STACK_TRACE);
    expect(existsSync(join(dir, 'landing', 'latin1-header.csv'))).toBe(true);
    const audit = await runCli(['audit', '--json'], dir);
    expect(audit.code, audit.stdout).toBe(0);
    // The refused file's claim counts no records; the two loaded files recount equal.
    expect(JSON.parse(audit.stdout)).toMatchObject({ ok: true, files: 3, recount: { equal: 2, differs: 0, notRecounted: {} } });
  });
});
