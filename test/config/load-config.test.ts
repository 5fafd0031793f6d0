import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, resolveWarehouse } from '../../src/config/load-config.js';
import { DEFAULT_MAX_LINE_BYTES } from '../../src/readers/reader.js';
import { AetlError } from '../../src/util/errors.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aetl-config-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(text: string, name = 'agentic-etl.yaml'): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

/** The AetlError thrown by `load`, for assertions on its code, message and hint. */
async function failure(load: Promise<unknown>): Promise<AetlError> {
  const error = await load.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AetlError);
  return error as AetlError;
}

const MINIMAL = 'pipeline: orders\nsource: ./landing\ncontract: contracts/orders.yaml\n';

describe('loadConfig', () => {
  it('applies defaults and resolves relative paths against the config file folder', async () => {
    const file = await writeConfig(MINIMAL);
    const loaded = await loadConfig(file);
    expect(loaded.baseDir).toBe(dir);
    expect(loaded.file).toBe(file);
    expect(loaded.config).toEqual({
      pipeline: 'orders',
      source: path.join(dir, 'landing'),
      format: 'auto',
      warehouse: `duckdb:${path.join(dir, 'warehouse.duckdb')}`,
      contract: path.join(dir, 'contracts', 'orders.yaml'),
      max_line_bytes: DEFAULT_MAX_LINE_BYTES,
      max_record_keys: 1000,
      max_table_columns: 500,
      lease_seconds: 30,
    });
    expect(loaded.written.source).toBe('./landing');
    expect(loaded.written.warehouse).toBe('duckdb:./warehouse.duckdb');
    expect(loaded.sourcePath).toBe(path.join(dir, 'landing'));
    expect(loaded.contractPath).toBe(path.join(dir, 'contracts', 'orders.yaml'));
  });

  it('resolves against the config folder, not the working directory', async () => {
    await mkdir(path.join(dir, 'nested'));
    const file = await writeConfig(MINIMAL, 'nested/pipeline.yaml');
    const loaded = await loadConfig(path.relative(process.cwd(), file));
    expect(loaded.config.source).toBe(path.join(dir, 'nested', 'landing'));
    expect(loaded.config.contract).toBe(path.join(dir, 'nested', 'contracts', 'orders.yaml'));
  });

  it('keeps URLs, absolute paths and in-memory DuckDB as written', async () => {
    const file = await writeConfig(
      'pipeline: p\nsource: s3://bucket/landing/\ncontract: /etc/aetl/c.yaml\nwarehouse: "duckdb::memory:"\nformat: csv\nmax_line_bytes: 4096\npolicy: {add_column: auto}\ncontroller: {setpoint: 0.01}\n',
    );
    const { config } = await loadConfig(file);
    expect(config.source).toBe('s3://bucket/landing/');
    expect(config.contract).toBe('/etc/aetl/c.yaml');
    expect(config.warehouse).toBe('duckdb::memory:');
    expect(config.format).toBe('csv');
    expect(config.max_line_bytes).toBe(4096);
    expect(config.policy).toEqual({ add_column: 'auto' });
    expect(config.controller).toEqual({ setpoint: 0.01, alpha: 0.3, band: 0.01, window: 5, persistence: 3, min_evidence: 10 });
  });

  it('reports a bad format with file, line, key, the allowed values and the value given', async () => {
    const file = await writeConfig('pipeline: orders\nsource: ./landing\ncontract: c.yaml\nformat: xml\n');
    const error = await failure(loadConfig(file));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(`${file}:4: format must be one of auto, ndjson, json, csv (got "xml")`);
    expect(error.hint).toBeTruthy();
  });

  it('names the file as the user gave it', async () => {
    await writeConfig('pipeline: orders\nsource: ./landing\ncontract: c.yaml\nformat: xml\n');
    const relative = path.relative(process.cwd(), path.join(dir, 'agentic-etl.yaml'));
    const error = await failure(loadConfig(relative));
    expect(error.message.startsWith(`${relative}:4: format`)).toBe(true);
  });

  it('rejects an unknown top-level key and suggests the nearest valid one', async () => {
    const file = await writeConfig(`${MINIMAL}# the engine\nwharehouse: duckdb:./x.duckdb\n`);
    const error = await failure(loadConfig(file));
    expect(error.message).toBe(`${file}:5: unknown key \`wharehouse\` — did you mean \`warehouse\`?`);
  });

  it('suggests a key written with other separators', async () => {
    const file = await writeConfig(`${MINIMAL}max-line-bytes: 10\n`);
    const error = await failure(loadConfig(file));
    expect(error.message).toContain(':4: unknown key `max-line-bytes` — did you mean `max_line_bytes`?');
  });

  it('lists every valid key when nothing is close', async () => {
    const file = await writeConfig(`${MINIMAL}retries: 3\n`);
    const error = await failure(loadConfig(file));
    expect(error.message).toContain(':4: unknown key `retries` (valid keys: pipeline, source, format, warehouse, contract, max_line_bytes, max_record_keys, max_table_columns, s3, lease_seconds, policy, controller)');
  });

  it('lists several problems at once, in line order', async () => {
    const file = await writeConfig('source: ./landing\nmax_line_bytes: -5\ncontract: c.yaml\nformat: parquet\nsource_dir: x\n');
    const error = await failure(loadConfig(file));
    const lines = error.message.split('\n');
    expect(lines[0]).toBe(`${file} has 4 problems:`);
    expect(lines.slice(1)).toEqual([
      `  ${file}:1: pipeline is required`,
      `  ${file}:2: max_line_bytes must be greater than 0 (got -5)`,
      `  ${file}:4: format must be one of auto, ndjson, json, csv (got "parquet")`,
      `  ${file}:5: unknown key \`source_dir\` — did you mean \`source\`?`,
    ]);
  });

  it('checks types and emptiness of values', async () => {
    const file = await writeConfig('pipeline: "  "\nsource: [a, b]\ncontract: c.yaml\nmax_line_bytes: 1.5\nwarehouse: warehouse.duckdb\npolicy: strict\n');
    const error = await failure(loadConfig(file));
    expect(error.message).toContain(`${file}:1: pipeline must not be empty`);
    expect(error.message).toContain(`${file}:2: source must be text (got a list)`);
    expect(error.message).toContain(`${file}:4: max_line_bytes must be a whole number (got 1.5)`);
    expect(error.message).toContain(`${file}:5: warehouse must be a URI such as duckdb:./warehouse.duckdb`);
    expect(error.message).toContain(`${file}:6: policy must be a mapping (key: value) (got "strict")`);
  });

  it('points at the line of a missing required key in an otherwise good file', async () => {
    const file = await writeConfig('# header comment\n\npipeline: p\nsource: s\n');
    const error = await failure(loadConfig(file));
    expect(error.message).toBe(`${file}:3: contract is required`);
  });

  it('reports YAML syntax errors with their line', async () => {
    const file = await writeConfig('pipeline: p\nsource: [a\ncontract: c.yaml\n');
    const error = await failure(loadConfig(file));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toMatch(new RegExp(`^${file.replace(/[.\\]/g, '\\$&')}:\\d+: YAML syntax error: `));
    expect(error.hint).toContain('YAML syntax');
  });

  it('reports a key given twice', async () => {
    const file = await writeConfig(`${MINIMAL}pipeline: again\n`);
    const error = await failure(loadConfig(file));
    expect(error.message).toContain(`${file}:4: YAML syntax error: Map keys must be unique`);
  });

  it('treats an empty file as one missing every required key', async () => {
    const file = await writeConfig('');
    const error = await failure(loadConfig(file));
    expect(error.message).toContain('pipeline is required');
    expect(error.message).toContain('source is required');
    expect(error.message).toContain('contract is required');
  });

  it('says how to create a missing config file', async () => {
    const error = await failure(loadConfig(path.join(dir, 'nope.yaml')));
    expect(error.code).toBe('config_not_found');
    expect(error.message).toContain('nope.yaml');
    expect(error.hint).toContain('agentic-etl init');
  });

  it('defaults to ./agentic-etl.yaml in the working directory', async () => {
    const previous = process.cwd();
    await writeConfig(MINIMAL);
    process.chdir(dir);
    try {
      const loaded = await loadConfig();
      expect(loaded.file).toBe(path.join(dir, 'agentic-etl.yaml'));
    } finally {
      process.chdir(previous);
    }
  });
});

describe('parseConfig', () => {
  it('resolves against the base folder it is given', () => {
    const { config } = parseConfig(MINIMAL, 'inline.yaml', '/srv/pipeline');
    expect(config.source).toBe('/srv/pipeline/landing');
  });
});

describe('resolveWarehouse', () => {
  it('makes a relative DuckDB file absolute and leaves other engines alone', () => {
    expect(resolveWarehouse('/a', 'duckdb:db/w.duckdb')).toBe('duckdb:/a/db/w.duckdb');
    expect(resolveWarehouse('/a', 'duckdb:/abs/w.duckdb')).toBe('duckdb:/abs/w.duckdb');
    expect(resolveWarehouse('/a', 'postgres://u@h/db')).toBe('postgres://u@h/db');
  });
});

describe('reserved sections', () => {
  it('reads a reserved key left empty as absent', () => {
    const { config } = parseConfig(`${MINIMAL}policy:\ncontroller:\n`, 'a.yaml', '/srv');
    expect('policy' in config).toBe(false);
    expect('controller' in config).toBe(false);
  });

  it('requires the file to be a mapping', () => {
    expect(() => parseConfig('- a\n- b\n', 'a.yaml', '/srv')).toThrow('a.yaml:1: the file must be a mapping (key: value) (got a list)');
  });
});

describe('the healing sections', () => {
  it('are checked with the line of the mistake', async () => {
    const file = await writeConfig('pipeline: p\nsource: ./landing\ncontract: c.yaml\npolicy:\n  rename_column: yes-please\ncontroller:\n  alpha: 0\n');
    const error = await loadConfig(file).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'config_invalid' });
    expect((error as Error).message).toMatch(/agentic-etl\.yaml:5:.*rename_column/);
    expect((error as Error).message).toMatch(/:7:.*alpha/);
  });
});

describe('what one record may cost', () => {
  const parse = (extra: string) => parseConfig(`${MINIMAL}${extra}`, 'agentic-etl.yaml', '/p').config;
  const problem = (extra: string): string => {
    try {
      parse(extra);
    } catch (error) {
      expect(error).toBeInstanceOf(AetlError);
      return (error as AetlError).message;
    }
    throw new Error('expected a config error');
  };

  it('reads max_record_keys and max_table_columns, with bounds', () => {
    expect(parse('max_record_keys: 50\nmax_table_columns: 20\n')).toMatchObject({ max_record_keys: 50, max_table_columns: 20 });
    expect(problem('max_record_keys: 0\n')).toBe('agentic-etl.yaml:4: max_record_keys must be greater than 0 (got 0)');
    expect(problem('max_table_columns: 2000\n')).toBe('agentic-etl.yaml:4: max_table_columns must be at most 1500 (got 2000)');
  });

  it('refuses a max_line_bytes DuckDB cannot hold in memory, naming the fix', () => {
    expect(problem('max_line_bytes: 400000000\n')).toBe('agentic-etl.yaml:4: max_line_bytes must be at most 268435456 (got 400000000)');
    expect(problem('max_line_bytes: 100000000\n')).toBe(
      "agentic-etl.yaml:4: max_line_bytes (100000000) is more than a quarter of DuckDB's memory_limit 64MB (the default): DuckDB holds a value whole in memory, " +
        'and a line that long would stop the run; set max_line_bytes to at most 16000000, or raise the limit, e.g. warehouse: duckdb:<file>?memory_limit=382MiB',
    );
    expect(problem('max_line_bytes: 100000000\nwarehouse: duckdb:./w.duckdb?memory_limit=256MB\n')).toContain("a quarter of DuckDB's memory_limit 256MB:");
    expect(parse('max_line_bytes: 100000000\nwarehouse: duckdb:./w.duckdb?memory_limit=1GB\n').max_line_bytes).toBe(100_000_000);
    expect(parse('max_line_bytes: 100000000\nwarehouse: postgres://u@h/db\n').max_line_bytes).toBe(100_000_000);
    expect(parse('max_line_bytes: 16000000\n').max_line_bytes).toBe(16_000_000);
  });
});
