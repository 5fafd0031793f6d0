import { describe, expect, it } from 'vitest';
import { actionSchema, plannedActionSchema } from '../../src/agent/actions.js';

describe('actionSchema: the closed set', () => {
  it('accepts the actions of the set', () => {
    const add = { kind: 'add_column', column: 'session_id', type: { name: 'string' } };
    expect(actionSchema.parse(add)).toEqual(add);
    expect(actionSchema.parse({ kind: 'rename_column', from: ' device_type ', to: 'device' })).toEqual({ kind: 'rename_column', from: 'device_type', to: 'device' });
  });

  it.each([
    ['a drop', { kind: 'drop_column', column: 'user_id' }],
    ['free-form SQL', { kind: 'sql', sql: 'DROP TABLE events' }],
    ['a narrowing in disguise', { kind: 'narrow_type', column: 'amount', to: { name: 'integer' } }],
    ['no kind', { column: 'user_id' }],
    ['an unknown type name', { kind: 'add_column', column: 'x', type: { name: 'varchar' } }],
    ['an empty identifier', { kind: 'add_column', column: '   ', type: { name: 'string' } }],
    ['an empty enum extension', { kind: 'extend_enum', column: 'event_type', values: [] }],
  ])('rejects %s', (_name, value) => {
    expect(actionSchema.safeParse(value).success).toBe(false);
  });

  it('rejects extra keys instead of stripping them', () => {
    expect(actionSchema.safeParse({ kind: 'add_column', column: 'x', type: { name: 'string' }, sql: 'DROP TABLE events' }).success).toBe(false);
    expect(actionSchema.safeParse({ kind: 'replay', cascade: true }).success).toBe(false);
    expect(actionSchema.safeParse({ kind: 'add_column', column: 'x', type: { name: 'string', default: 'now()' } }).success).toBe(false);
  });

  it('validates a planned action around it, confidence within 0..1', () => {
    const planned = { action: { kind: 'replay' }, confidence: 1, rationale: 'r', evidence: { n: 1 } };
    expect(plannedActionSchema.parse(planned)).toEqual(planned);
    expect(plannedActionSchema.safeParse({ ...planned, confidence: 1.5 }).success).toBe(false);
    expect(plannedActionSchema.safeParse({ ...planned, action: { kind: 'sql', sql: 'x' } }).success).toBe(false);
  });
});
