import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { CONFIG_KEYS } from '../../src/config/schema.js';
import { renderConfigYaml, renderContractYaml } from '../../src/config/template.js';
import { inferContract } from '../../src/contract/infer-contract.js';
import { loadContract } from '../../src/contract/load-contract.js';
import { DEFAULT_MAX_LINE_BYTES, type ReadRecord } from '../../src/readers/reader.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'aetl-template-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('renderConfigYaml', () => {
  it('loads back through loadConfig with the values given and defaults for the rest', async () => {
    const text = renderConfigYaml({ pipeline: 'orders', source: './landing', format: 'ndjson', warehouse: 'duckdb:./warehouse.duckdb', contractPath: './contract.yaml' });
    const file = path.join(dir, 'agentic-etl.yaml');
    await writeFile(file, text);
    const loaded = await loadConfig(file);
    expect(loaded.written).toEqual({
      pipeline: 'orders',
      source: './landing',
      format: 'ndjson',
      warehouse: 'duckdb:./warehouse.duckdb',
      contract: './contract.yaml',
      max_line_bytes: DEFAULT_MAX_LINE_BYTES,
      max_record_keys: 1000,
      max_table_columns: 500,
      lease_seconds: 30,
    });
    expect(loaded.config.source).toBe(path.join(dir, 'landing'));
  });

  it('quotes values that YAML would otherwise misread', async () => {
    const options = { pipeline: 'orders: eu #1', source: '  spaced dir/#in', format: 'auto', warehouse: 'postgres://u@h:5432/db', contractPath: 'yes' } as const;
    const file = path.join(dir, 'quoted.yaml');
    await writeFile(file, renderConfigYaml(options));
    const { written } = await loadConfig(file);
    expect(written.pipeline).toBe('orders: eu #1');
    expect(written.source).toBe('spaced dir/#in'); // the schema trims
    expect(written.warehouse).toBe('postgres://u@h:5432/db');
    expect(written.contract).toBe('yes');
  });

  it('explains every key in a comment and shows the reserved sections commented out', () => {
    const text = renderConfigYaml({ pipeline: 'p', source: 's', format: 'auto', warehouse: 'duckdb:./w.duckdb', contractPath: 'c.yaml' });
    const lines = text.split('\n');
    for (const key of CONFIG_KEYS) {
      const index = lines.findIndex((line) => line.startsWith(`${key}:`) || line.startsWith(`# ${key}:`));
      expect(index, `key ${key}`).toBeGreaterThanOrEqual(0);
      const explained = (lines[index - 1] ?? '').startsWith('#') || (lines[index] ?? '').includes('  # ');
      expect(explained, `comment for ${key}`).toBe(true);
    }
    expect(text).toMatch(/^# policy: /m);
    expect(text).toMatch(/^# controller: /m);
  });
});

describe('renderContractYaml', () => {
  it('loads back through loadContract and tells the user what to review', async () => {
    const records: ReadRecord[] = [
      { line: 1, offset: 0, raw: '', rawEncoding: 'utf8', value: { order_id: 'a', kind: 'x', RateCodeID: 1, 'note: #1': 'n' } },
      { line: 2, offset: 0, raw: '', rawEncoding: 'utf8', value: { order_id: 'b', kind: 'x', RatecodeID: 2 } },
      { line: 3, offset: 0, raw: '', rawEncoding: 'utf8', malformed: 'bad' },
    ];
    const inferred = await inferContract(records, { table: 'orders' });
    const text = renderContractYaml(inferred);
    const file = path.join(dir, 'contract.yaml');
    await writeFile(file, text);
    const loaded = await loadContract(file);
    expect(loaded.contract).toEqual(inferred.contract);
    expect(loaded.contract.primary_key).toEqual(['order_id']);
    expect(text).toContain('# Inferred by `agentic-etl init`: review it before the first run.');
    expect(text).toContain('# Primary key candidates (never missing, all distinct in the sample): order_id, RateCodeID.');
    expect(text).toContain('  # Also seen as `RatecodeID` (differs only by case; merged into this column).\n  RateCodeID:');
    expect(text).toContain('# Sampled 2 records; skipped 1 malformed.');
  });
});
