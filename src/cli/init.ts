/**
 * `agentic-etl init [--from DIR]`: infer a contract from the sample files in DIR and write a
 * commented agentic-etl.yaml plus the contract, for a person to review before the first run.
 */
import { access, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { inferContract } from '../contract/infer-contract.js';
import { renderConfigYaml, renderContractYaml } from '../config/template.js';
import { detectFormat, readRecords } from '../readers/open-records.js';
import { DEFAULT_MAX_LINE_BYTES, type Format, type ReadRecord } from '../readers/reader.js';
import { localSource } from '../sources/local.js';
import type { SourceObject } from '../sources/source.js';
import { AetlError } from '../util/errors.js';
import { note, say } from './_output.js';

interface InitOptions {
  from: string;
  table?: string;
  out: string;
  force?: boolean;
}

/** A table name from a folder name: lower case, letters, digits and `_`. */
function tableNameFrom(folder: string): string {
  const name = folder.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return name === '' || /^\d/.test(name) ? `t_${name}` : name;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export default async function init(options: InitOptions): Promise<number> {
  const from = resolve(options.from);
  const out = resolve(options.out);
  const source = localSource({ root: from });
  const objects: SourceObject[] = [];
  const formats = new Set<Format>();
  for await (const object of source.list()) {
    try {
      formats.add(detectFormat(object.key, 'auto').format);
      objects.push(object);
    } catch {
      note(`skipping ${object.key}: not .ndjson, .jsonl, .json or .csv (optionally .gz)`);
    }
  }
  if (objects.length === 0) {
    throw new AetlError('usage', `no sample files in ${from}`, { hint: 'put a few .ndjson, .json or .csv files there, or pass --from DIR' });
  }

  async function* sampleRecords(): AsyncGenerator<ReadRecord> {
    for (const object of objects) {
      const input = await source.open(object);
      yield* readRecords(input, { file: object.key, maxLineBytes: DEFAULT_MAX_LINE_BYTES, ...detectFormat(object.key, 'auto') });
    }
  }
  const table = options.table ?? tableNameFrom(basename(from));
  const inferred = await inferContract(sampleRecords(), { table });

  const configFile = join(out, 'agentic-etl.yaml');
  const contractFile = join(out, `${table}.contract.yaml`);
  for (const file of [configFile, contractFile]) {
    if (!options.force && (await exists(file))) {
      throw new AetlError('usage', `${file} already exists`, { hint: 'review or move it, or pass --force to overwrite' });
    }
  }
  const [onlyFormat] = formats;
  await writeFile(contractFile, renderContractYaml(inferred));
  await writeFile(
    configFile,
    renderConfigYaml({
      pipeline: table,
      source: `./${relative(out, from) || '.'}`,
      format: formats.size === 1 && onlyFormat !== undefined ? onlyFormat : 'auto',
      warehouse: 'duckdb:./warehouse.duckdb',
      contractPath: `./${basename(contractFile)}`,
    }),
  );
  say(`Inferred ${inferred.contract.columns.length} column(s) of \`${table}\` from ${inferred.sampled} record(s) in ${objects.length} file(s)${inferred.malformed ? ` (${inferred.malformed} malformed skipped)` : ''}.`);
  for (const line of inferred.notes) say(`  - ${line}`);
  say(`Wrote ${configFile} and ${contractFile}: review them, then run \`agentic-etl run\`.`);
  return 0;
}
