import { describe, expect, it } from 'vitest';
import { addColumnSql, alterColumnTypeSql, createTableSql, insertSql } from '../../src/warehouse/ddl.js';
import { duckdbDialect } from '../../src/warehouse/duckdb/duckdb-dialect.js';
import type { Dialect } from '../../src/warehouse/warehouse.js';
import { T } from './warehouse-fixtures.js';

/** A dialect with none of the optional members: what the generic builder does alone. */
const plain: Dialect = {
  name: 'plain',
  capabilities: {
    transactionalDdl: false,
    multiColumnAlter: false,
    maxIdentifierBytes: 128,
    concurrentWriters: true,
    temporalRanges: { date: { min: '0001-01-01', max: '9999-12-31' }, timestamp: { min: '0001-01-01T00:00:00Z', max: '9999-12-31T23:59:59Z' } },
  },
  quoteIdent: (name) => `[${name.replaceAll(']', ']]')}]`,
  typeName: (type) => type.name.toUpperCase(),
  placeholder: () => '?',
};

describe('ddl builder', () => {
  it('uses the generic spellings when the dialect adds nothing', () => {
    expect(addColumnSql(plain, 't', { name: 'c', type: T.integer })).toBe('ALTER TABLE [t] ADD COLUMN [c] INTEGER');
    expect(alterColumnTypeSql(plain, 't', 'c', T.double)).toBe('ALTER TABLE [t] ALTER COLUMN [c] TYPE DOUBLE');
    expect(insertSql(plain, 't', [{ name: 'a', type: T.timestamp }, { name: 'b]', type: T.date }])).toBe('INSERT INTO [t] ([a], [b]]]) VALUES (?, ?)');
  });

  it('takes the dialect\'s own ALTER spelling when it has one', () => {
    const spelled: Dialect = { ...plain, alterColumnType: (table, column, type) => `ALTER TABLE ${table} MODIFY ${column} ${type}` };
    expect(alterColumnTypeSql(spelled, 't', 'c', T.double)).toBe('ALTER TABLE [t] MODIFY [c] DOUBLE');
  });

  it('refuses to add a column with NOT NULL or UNIQUE, and a table without columns', () => {
    expect(() => addColumnSql(plain, 't', { name: 'c', type: T.integer, nullable: false })).toThrow(/NOT NULL or UNIQUE/);
    expect(() => addColumnSql(plain, 't', { name: 'c', type: T.integer, unique: true })).toThrow(/NOT NULL or UNIQUE/);
    expect(() => createTableSql(plain, { name: 't', columns: [] })).toThrow(/no columns/);
  });

  it('duckdb: doubles quotes, refuses NUL and empty names, spells every type', () => {
    expect(duckdbDialect.quoteIdent('a"b')).toBe('"a""b"');
    expect(() => duckdbDialect.quoteIdent('a\u0000b')).toThrow(/NUL/);
    expect(() => duckdbDialect.quoteIdent('')).toThrow(/is empty/);
    expect(Object.values(T).map((type) => duckdbDialect.typeName(type))).toEqual([
      'VARCHAR', 'BIGINT', 'DOUBLE', 'DECIMAL(12,3)', 'BOOLEAN', 'DATE', 'TIMESTAMP', 'JSON',
    ]);
    expect(duckdbDialect.typeName({ name: 'decimal' })).toBe('DECIMAL(18,0)');
  });
});
