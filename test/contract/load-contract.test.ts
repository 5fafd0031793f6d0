import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadContract, parseContract } from '../../src/contract/load-contract.js';
import { DEFAULT_EVOLUTION } from '../../src/contract/types.js';
import { AetlError } from '../../src/util/errors.js';

const DESIGN_EXAMPLE = `table: events
primary_key: [event_id]            # optional: silver keeps the latest record per key
columns:
  event_id:        {type: string, required: true}
  event_timestamp: {type: timestamp, required: true}
  event_type:      {type: string, enum: [click, view, purchase]}
  user_id:         {type: integer, required: true, min: 0}
  amount:          {type: double, min: 0}
  device:          {type: string}
evolution:                          # what the agent may do, per change kind
  new_column: evolve                # evolve | quarantine | ignore | fail
  type_change: widen                # widen | quarantine | fail
  coercion: lossless                # lossless | off
  rename: approve                   # auto | approve | off
  drift_threshold: 0.05             # share of a window above which a deviation is drift, not noise
`;

/** Parses and returns the error's message lines (without the "N problems" header). */
function problems(text: string): string[] {
  try {
    parseContract(text, 'c.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(AetlError);
    expect((error as AetlError).code).toBe('contract_invalid');
    const lines = (error as AetlError).message.split('\n');
    return lines.length === 1 ? lines : lines.slice(1).map((line) => line.trim());
  }
  throw new Error('expected the contract to be rejected');
}

function contractWith(columns: string, extra = ''): string {
  return `table: t\ncolumns:\n${columns}${extra}`;
}

describe('parseContract', () => {
  it('reads the DESIGN.md example into the model', () => {
    const contract = parseContract(DESIGN_EXAMPLE, 'events.yaml');
    expect(contract.table).toBe('events');
    expect(contract.primary_key).toEqual(['event_id']);
    expect(contract.columns.map((column) => column.name)).toEqual(['event_id', 'event_timestamp', 'event_type', 'user_id', 'amount', 'device']);
    expect(contract.columns[2]).toEqual({ name: 'event_type', type: { name: 'string' }, required: false, enum: ['click', 'view', 'purchase'] });
    expect(contract.columns[3]).toEqual({ name: 'user_id', type: { name: 'integer' }, required: true, min: 0 });
    expect(contract.evolution).toEqual(DEFAULT_EVOLUTION);
  });

  it('fills defaults: no primary key, optional columns, default evolution', () => {
    const contract = parseContract('table: t\ncolumns:\n  a: {type: string}\nevolution: {rename: auto}\n', 't.yaml');
    expect(contract.primary_key).toEqual([]);
    expect(contract.columns[0]?.required).toBe(false);
    expect(contract.evolution).toEqual({ ...DEFAULT_EVOLUTION, rename: 'auto' });
  });

  it('spells types case-insensitively and reads decimal(p,s), also unquoted in a flow mapping', () => {
    const contract = parseContract(
      contractWith('  a: {type: decimal(10,2)}\n  b: {type: "DECIMAL(38, 0)"}\n  c: {type: decimal(5)}\n  d:\n    type: Timestamp\n  e: {type: json}\n'),
      'c.yaml',
    );
    expect(contract.columns.map((column) => column.type)).toEqual([
      { name: 'decimal', precision: 10, scale: 2 },
      { name: 'decimal', precision: 38, scale: 0 },
      { name: 'decimal', precision: 5, scale: 0 },
      { name: 'timestamp' },
      { name: 'json' },
    ]);
  });

  it('trims table and column names and accepts a single primary key as a string', () => {
    const contract = parseContract('table: " events "\nprimary_key: id\ncolumns:\n  " id ": {type: integer}\n', 'c.yaml');
    expect(contract.table).toBe('events');
    expect(contract.columns[0]?.name).toBe('id');
    expect(contract.primary_key).toEqual(['id']);
  });

  it('keeps column order as written, even for integer-like names', () => {
    const contract = parseContract(contractWith('  zeta: {type: string}\n  "2020": {type: integer}\n  alpha: {type: string}\n'), 'c.yaml');
    expect(contract.columns.map((column) => column.name)).toEqual(['zeta', '2020', 'alpha']);
  });

  it('turns YAML numbers and booleans in an enum into the strings they name', () => {
    const contract = parseContract(contractWith('  code: {type: string, enum: [1, A, true]}\n'), 'c.yaml');
    expect(contract.columns[0]?.enum).toEqual(['1', 'A', 'true']);
  });

  it('suggests the nearest type for an unknown one', () => {
    expect(problems(contractWith('  a: {type: strng}\n'))).toEqual([
      'c.yaml:3: columns.a.type is an unknown type "strng" — did you mean `string`? (types: string, integer, double, decimal(p,s), boolean, date, timestamp, json)',
    ]);
    expect(problems(contractWith('  a: {type: int}\n'))[0]).toContain('columns.a.type is an unknown type "int" — did you mean `integer`?');
    expect(problems(contractWith('  a: {type: float}\n'))[0]).toContain('did you mean `double`?');
  });

  it('checks decimal precision and scale', () => {
    expect(problems(contractWith('  a: {type: "decimal(39,2)"}\n'))).toEqual(['c.yaml:3: columns.a.type has decimal precision 39; it must be between 1 and 38']);
    expect(problems(contractWith('  a: {type: "decimal(0,0)"}\n'))[0]).toContain('has decimal precision 0');
    expect(problems(contractWith('  a: {type: "decimal(4,5)"}\n'))).toEqual([
      'c.yaml:3: columns.a.type has decimal scale 5 greater than its precision 4; use decimal(p,s) with s <= p',
    ]);
    expect(problems(contractWith('  a: {type: decimal}\n'))[0]).toContain('write decimal with its precision and scale, e.g. decimal(18,2)');
  });

  it('allows enum only on strings, min/max only on numbers, min <= max, and patterns that compile', () => {
    const lines = problems(
      contractWith(
        [
          '  flag: {type: boolean, enum: [a]}',
          '  day:',
          '    type: date',
          '    min: 1',
          '  n: {type: integer, min: 10, max: 1}',
          '  p: {type: string, pattern: "([a-z]"}',
          '  q: {type: integer, pattern: "^1$"}',
          '  e: {type: string, enum: [x, y, x]}',
          '',
        ].join('\n'),
      ),
    );
    expect(lines).toEqual([
      'c.yaml:3: columns.flag.enum is only allowed with type string (this column is boolean); bound numbers with min/max',
      'c.yaml:6: columns.day.min is only allowed with numeric types (integer, double, decimal); this column is date',
      'c.yaml:7: columns.n.min (10) is greater than max (1); swap them or fix one',
      expect.stringMatching(/^c\.yaml:8: columns\.p\.pattern is not a valid RE2 pattern: missing closing \)/),
      'c.yaml:9: columns.q.pattern is only allowed with type string; this column is integer',
      'c.yaml:10: columns.e.enum lists "x" twice; list each allowed value once',
    ]);
  });

  it('rejects unknown keys in a column spec, naming the column and suggesting the key', () => {
    expect(problems(contractWith('  a: {type: string, requird: true}\n'))).toEqual(['c.yaml:3: unknown key `requird` in columns.a — did you mean `required`?']);
    expect(problems(contractWith('  a: {type: string, colour: red}\n'))).toEqual([
      'c.yaml:3: unknown key `colour` in columns.a (valid keys: type, required, enum, min, max, pattern, aliases, coercion, description)',
    ]);
  });

  it('requires primary key columns to exist, suggesting the nearest', () => {
    expect(problems('table: t\nprimary_key:\n  - id\n  - evnt_id\ncolumns:\n  id: {type: string}\n  event_id: {type: string}\n')).toEqual([
      'c.yaml:4: primary_key[1] names `evnt_id`, which is not a column — did you mean `event_id`?',
    ]);
  });

  it('rejects column names that collide ignoring case, empty names and system column names', () => {
    expect(problems(contractWith('  RateCodeID: {type: integer}\n  RatecodeID: {type: integer}\n  "  ": {type: string}\n  _record_id: {type: string}\n'))).toEqual([
      'c.yaml:4: columns.RatecodeID collides with `RateCodeID`: column names equal when case is ignored collide in case-insensitive engines; rename or remove one',
      'c.yaml:5: columns."  " is an empty column name; give the column a name',
      'c.yaml:6: columns._record_id is the name of a system column agentic-etl adds to every table; rename it',
    ]);
  });

  it('refuses patterns RE2 cannot match in linear time, naming the line, the column and the syntax', () => {
    expect(problems(contractWith('  a: {type: string}\n  b: {type: string, pattern: "(x)\\\\1"}\n  c: {type: string, pattern: "x(?=y)"}\n'))).toEqual([
      expect.stringMatching(/^c\.yaml:4: columns\.b\.pattern is not a valid RE2 pattern: invalid escape sequence: `\\1`; patterns use RE2 syntax .*no backreferences/),
      expect.stringMatching(/^c\.yaml:5: columns\.c\.pattern is not a valid RE2 pattern: .*\(\?=.*no lookaround/),
    ]);
    expect(parseContract(contractWith('  a: {type: string, pattern: "(a+)+$"}\n'), 'c.yaml').columns[0]?.pattern).toBe('(a+)+$');
  });

  it('rejects a column named __proto__ instead of losing it', () => {
    expect(problems(contractWith('  __proto__: {type: string}\n'))).toEqual(['c.yaml:3: columns.__proto__ is a name JavaScript reserves for objects; rename the column']);
    expect(problems(contractWith('  a: {type: string}\n  " __proto__": {type: string}\n'))).toEqual(['c.yaml:4: columns." __proto__" is a name JavaScript reserves for objects; rename the column']);
  });

  it('keeps columns named like Object.prototype members, and `__proto__` as an alias', () => {
    const contract = parseContract(contractWith('  constructor: {type: string, aliases: [__proto__]}\n  prototype: {type: integer}\n  toString: {type: string}\n'), 'c.yaml');
    expect(contract.columns.map((column) => [column.name, column.aliases])).toEqual([['constructor', ['__proto__']], ['prototype', undefined], ['toString', undefined]]);
  });

  it('rejects an empty or reserved table name', () => {
    expect(problems('table: "   "\ncolumns: {a: {type: string}}\n')).toEqual(['c.yaml:1: table must not be empty']);
    expect(problems('table: _aetl_files\ncolumns: {a: {type: string}}\n')[0]).toContain('reserved');
  });

  it('checks evolution modes and the drift threshold', () => {
    expect(problems(contractWith('  a: {type: string}\n', 'evolution:\n  new_column: evolv\n  drift_threshold: 0\n  renam: auto\n'))).toEqual([
      'c.yaml:5: evolution.new_column must be one of evolve, quarantine, ignore, fail (got "evolv") — did you mean `evolve`?',
      'c.yaml:6: evolution.drift_threshold must be greater than 0 (got 0)',
      'c.yaml:7: unknown key `renam` in evolution — did you mean `rename`?',
    ]);
  });

  it('reports missing required keys and a wrong shape', () => {
    expect(problems('primary_key: [a]\n')).toEqual(['c.yaml:1: table is required', 'c.yaml:1: columns is required']);
    expect(problems('table: t\ncolumns: [a, b]\n')).toEqual(['c.yaml:2: columns must be a mapping (key: value) (got a list)']);
    expect(problems('table: t\ncolumns:\n  a: {required: true}\n')).toEqual(['c.yaml:3: columns.a.type is required']);
  });

  it('reports YAML syntax errors with their line', () => {
    const lines = problems('table: t\ncolumns:\n  a: {type: string\n  b: {type: string}\n');
    expect(lines[0]).toMatch(/^c\.yaml:\d+: YAML syntax error: /);
  });
});

describe('loadContract', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'aetl-contract-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('returns the text and a hash that ignores comments, whitespace and key order', async () => {
    const a = path.join(dir, 'a.yaml');
    const b = path.join(dir, 'b.yaml');
    await writeFile(a, DESIGN_EXAMPLE);
    const reordered = `# the same contract, written differently
evolution: {drift_threshold: 0.05, new_column: evolve}
columns:
  event_id: {required: true, type: string}
  event_timestamp:
    type: timestamp
    required: true
  event_type: {type: string, enum: [view, click, purchase]}
  user_id: {min: 0, type: integer, required: true}
  amount: {type: double, min: 0.0}
  device: {type: string, required: false}
primary_key: event_id
table: events
`;
    await writeFile(b, reordered);
    const first = await loadContract(a);
    const second = await loadContract(b);
    expect(first.text).toBe(DESIGN_EXAMPLE);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(second.hash).toBe(first.hash);
  });

  it('gives a different hash when the contract means something else', async () => {
    const a = path.join(dir, 'c.yaml');
    await writeFile(a, DESIGN_EXAMPLE);
    const changed = path.join(dir, 'd.yaml');
    await writeFile(changed, DESIGN_EXAMPLE.replace('amount:          {type: double, min: 0}', 'amount:          {type: double, min: 1}'));
    expect((await loadContract(changed)).hash).not.toBe((await loadContract(a)).hash);
  });

  it('names the file in every message', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, 'table: t\ncolumns:\n  a: {type: nope}\n');
    await expect(loadContract(file)).rejects.toThrow(`${file}:3: columns.a.type is an unknown type "nope"`);
  });

  it('says how to fix a missing contract file', async () => {
    const error = await loadContract(path.join(dir, 'missing.yaml')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AetlError);
    expect((error as AetlError).code).toBe('contract_not_found');
    expect((error as AetlError).hint).toContain('agentic-etl init');
  });
});
