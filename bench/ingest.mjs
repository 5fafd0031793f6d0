#!/usr/bin/env node
// Ingestion throughput: `agentic-etl run` on a 1,000,000-record NDJSON file (~150 MB), against
// the engine's own bulk load of the same file in the same run. Prints records/s, MB/s, the
// ratio and the peak RSS of the run.
//
// DuckDB (default): the baseline is `CREATE TABLE … AS SELECT * FROM read_json(…)`.
// PostgreSQL (`--warehouse postgres://…`): each run gets a fresh database (CREATE DATABASE
// on that server, dropped afterwards unless --keep), and the baselines are PostgreSQL's own
// COPY of the file's lines into a one-column table (CSV with quote and delimiter bytes the
// data never holds, so every line is taken verbatim), then that plus `INSERT … SELECT` of
// the contract's typed columns (what silver holds) out of those lines.
//
//   npm run bench:ingest                       # 1,000,000 records into DuckDB
//   npm run bench:ingest -- --records 200000   # a quicker look
//   npm run bench:ingest -- --warehouse postgres://user@host:5432/postgres --records 200000
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { CHAOS_CONTRACT_YAML } from '../dist/chaos/contract.js';
import { writeChaos } from '../dist/chaos/write.js';

const { values } = parseArgs({
  options: { records: { type: 'string', default: '1000000' }, keep: { type: 'boolean', default: false }, warehouse: { type: 'string' } },
});
const records = Number(values.records);
const postgresServer = values.warehouse;
if (postgresServer !== undefined && !/^postgres(ql)?:\/\//.test(postgresServer)) {
  console.error('--warehouse takes a postgres://… URL (the default is DuckDB)');
  process.exit(2);
}
const cli = resolve('dist/cli/main.js');
const dir = await mkdtemp(join(tmpdir(), 'aetl-bench-'));
const landing = join(dir, 'landing');

console.log(`generating ${records.toLocaleString()} clean records …`);
await writeChaos({ out: landing, files: 1, records, poisonRate: 0, seed: 42, drift: [] });
const file = join(landing, 'events-00001.ndjson');
const bytes = (await stat(file)).size;
await writeFile(join(dir, 'events.contract.yaml'), CHAOS_CONTRACT_YAML);

/** Runs the CLI and samples the child's peak RSS (VmHWM) from /proc until it exits. */
function runCli(args) {
  return new Promise((resolveRun, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    let peakKb = 0;
    const sample = setInterval(() => {
      try {
        const match = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (match) peakKb = Math.max(peakKb, Number(match[1]));
      } catch {
        /* the process has exited */
      }
    }, 20);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sample);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0) reject(new Error(`agentic-etl ${args.join(' ')} exited ${code}`));
      else resolveRun({ seconds, peakMb: peakKb / 1024 });
    });
  });
}

function seconds(since) {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

async function writeConfig(warehouse) {
  await writeFile(
    join(dir, 'agentic-etl.yaml'),
    `pipeline: bench\nsource: ./landing\nformat: ndjson\nwarehouse: ${warehouse}\ncontract: ./events.contract.yaml\n`,
  );
}

async function benchDuckDB() {
  await writeConfig('duckdb:./warehouse.duckdb');
  console.log('agentic-etl run …');
  const ours = await runCli(['run']);
  console.log('DuckDB read_json baseline …');
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(join(dir, 'baseline.duckdb'));
  const connection = await instance.connect();
  const t0 = process.hrtime.bigint();
  await connection.run(`CREATE TABLE events AS SELECT * FROM read_json('${file.replaceAll("'", "''")}', format = 'newline_delimited')`);
  const baseline = seconds(t0);
  connection.closeSync();
  return { engine: 'DuckDB', ours, baselines: [['DuckDB CREATE TABLE AS read_json', baseline]] };
}

/** The contract's columns as `(doc->>'name')::type`, for the typed INSERT … SELECT baseline. */
function typedSelect() {
  const casts = { string: 'text', integer: 'bigint', double: 'double precision', boolean: 'boolean', date: 'date', timestamp: 'timestamptz', json: 'json' };
  const columns = Object.entries(parseYaml(CHAOS_CONTRACT_YAML).columns);
  return columns.map(([name, spec]) => `(d->>'${name}')::${casts[spec.type] ?? 'text'} AS "${name}"`).join(', ');
}

async function benchPostgres() {
  const { default: pg } = await import('pg');
  const { from: copyFrom } = await import('pg-copy-streams');
  const database = `aetl_bench_${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const admin = new pg.Client({ connectionString: postgresServer });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(postgresServer);
  url.pathname = `/${database}`;
  try {
    await writeConfig(url.toString());
    console.log(`agentic-etl run into database ${database} …`);
    const ours = await runCli(['run']);

    console.log('PostgreSQL COPY baselines …');
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      await client.query('CREATE TABLE raw_lines (doc text)');
      const t0 = process.hrtime.bigint();
      // CSV with quote \x01 and delimiter \x02: no escaping, each line is one value, verbatim.
      await pipeline(createReadStream(file), client.query(copyFrom("COPY raw_lines (doc) FROM STDIN WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')")));
      const copied = seconds(t0);
      const t1 = process.hrtime.bigint();
      await client.query(`CREATE TABLE typed AS SELECT ${typedSelect()} FROM (SELECT doc::json AS d FROM raw_lines) s`);
      const typed = seconds(t1);
      const { rows } = await client.query('SELECT (SELECT count(*) FROM raw_lines)::int AS lines, (SELECT count(*) FROM typed)::int AS typed');
      if (rows[0].lines !== records || rows[0].typed !== records) throw new Error(`baseline loaded ${rows[0].lines} lines / ${rows[0].typed} typed rows, not ${records}`);
      return {
        engine: 'PostgreSQL',
        ours,
        baselines: [
          ['PostgreSQL COPY of the lines (one column)', copied],
          ['PostgreSQL COPY + INSERT … SELECT typed', copied + typed],
        ],
      };
    } finally {
      await client.end();
    }
  } finally {
    if (!values.keep) await admin.query(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
    else console.log(`kept database ${database}`);
    await admin.end();
  }
}

const result = postgresServer === undefined ? await benchDuckDB() : await benchPostgres();
const mb = bytes / 1e6;
console.log(`\n${records.toLocaleString()} records, ${mb.toFixed(1)} MB`);
for (const [name, s] of [['agentic-etl run (validate + bronze + silver)', result.ours.seconds], ...result.baselines]) {
  console.log(`${name.padEnd(46)} ${s.toFixed(2).padStart(7)} s ${Math.round(records / s).toLocaleString().padStart(10)} rec/s ${(mb / s).toFixed(1).padStart(7)} MB/s`);
}
const ratios = result.baselines.map(([name, s]) => `${(result.ours.seconds / s).toFixed(2)} × ${name}`).join('; ');
console.log(`ours / baseline: ${ratios}`);
console.log(`peak RSS of agentic-etl run: ${result.ours.peakMb.toFixed(0)} MB`);
if (!values.keep) await rm(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);
