#!/usr/bin/env node
// Ingestion throughput: `agentic-etl run` on a 1,000,000-record NDJSON file (~150 MB) into
// DuckDB, against DuckDB's own `CREATE TABLE … AS SELECT * FROM read_json(…)` of the same
// file in the same run. Prints records/s, MB/s, the ratio and the peak RSS of the run.
//
//   npm run bench:ingest                       # 1,000,000 records
//   npm run bench:ingest -- --records 200000   # a quicker look
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { CHAOS_CONTRACT_YAML } from '../dist/chaos/contract.js';
import { writeChaos } from '../dist/chaos/write.js';

const { values } = parseArgs({ options: { records: { type: 'string', default: '1000000' }, keep: { type: 'boolean', default: false } } });
const records = Number(values.records);
const cli = resolve('dist/cli/main.js');
const dir = await mkdtemp(join(tmpdir(), 'aetl-bench-'));
const landing = join(dir, 'landing');

console.log(`generating ${records.toLocaleString()} clean records …`);
await writeChaos({ out: landing, files: 1, records, poisonRate: 0, seed: 42, drift: [] });
const file = join(landing, 'events-00001.ndjson');
const bytes = (await stat(file)).size;
await writeFile(join(dir, 'events.contract.yaml'), CHAOS_CONTRACT_YAML);
await writeFile(
  join(dir, 'agentic-etl.yaml'),
  'pipeline: bench\nsource: ./landing\nformat: ndjson\nwarehouse: duckdb:./warehouse.duckdb\ncontract: ./events.contract.yaml\n',
);

/** Runs the CLI and samples the child's peak RSS (VmHWM) from /proc until it exits. */
function runCli(args) {
  return new Promise((resolveRun, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    let peakKb = 0;
    const sample = setInterval(async () => {
      try {
        const status = await import('node:fs').then((fs) => fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        const match = /VmHWM:\s+(\d+)/.exec(status);
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

console.log('agentic-etl run …');
const ours = await runCli(['run']);

console.log('DuckDB read_json baseline …');
const instance = await DuckDBInstance.create(join(dir, 'baseline.duckdb'));
const connection = await instance.connect();
const t0 = process.hrtime.bigint();
await connection.run(`CREATE TABLE events AS SELECT * FROM read_json('${file.replaceAll("'", "''")}', format = 'newline_delimited')`);
const baseline = Number(process.hrtime.bigint() - t0) / 1e9;
connection.closeSync();

const mb = bytes / 1e6;
const rows = [
  ['agentic-etl run (validate + bronze + silver)', ours.seconds],
  ["DuckDB CREATE TABLE AS read_json", baseline],
];
console.log(`\n${records.toLocaleString()} records, ${mb.toFixed(1)} MB`);
for (const [name, s] of rows) {
  console.log(`${name.padEnd(46)} ${s.toFixed(2).padStart(7)} s ${Math.round(records / s).toLocaleString().padStart(10)} rec/s ${(mb / s).toFixed(1).padStart(7)} MB/s`);
}
console.log(`ratio (ours / DuckDB): ${(ours.seconds / baseline).toFixed(2)}   peak RSS of agentic-etl run: ${ours.peakMb.toFixed(0)} MB`);
if (!values.keep) await rm(dir, { recursive: true, force: true });
else console.log(`kept ${dir}`);
