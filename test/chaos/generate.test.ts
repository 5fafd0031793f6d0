import { describe, expect, it } from 'vitest';
import { chaosLines, resolveChaosOptions, type ChaosLine, type ChaosOptions } from '../../src/chaos/generate.js';
import { DRIFT_KINDS, FAULT_KINDS, isDriftKind, type DriftKind } from '../../src/chaos/labels.js';
import { parseDriftSpec } from '../../src/chaos/drift.js';
import { AetlError } from '../../src/util/errors.js';
import { contractDoc, judge } from './oracle.js';

const BASE: ChaosOptions = { files: 5, records: 400, poisonRate: 0.1, seed: 2026 };
const all = (options: ChaosOptions): ChaosLine[] => [...chaosLines(options)];

describe('chaosLines', () => {
  const lines = all(BASE);

  it('yields files × records lines, numbered 1..records per file', () => {
    expect(lines).toHaveLength(5 * 400);
    lines.forEach((l, i) => {
      expect(l.fileIndex).toBe(Math.floor(i / 400) + 1);
      expect(l.entry.line).toBe((i % 400) + 1);
      expect(l.entry.file).toBe(`events-${String(l.fileIndex).padStart(5, '0')}.ndjson`);
      expect(l.text).not.toMatch(/[\r\n]/);
      expect(l.text.length).toBeGreaterThan(0);
    });
  });

  it('injects every sporadic fault kind, at about the poison rate', () => {
    const kinds = new Set(lines.flatMap((l) => l.entry.faults));
    for (const kind of FAULT_KINDS) expect(kinds, kind).toContain(kind);
    const poisoned = lines.filter((l) => l.entry.faults.length > 0).length;
    // Binomial(2000, 0.1): sd ≈ 13.4; allow 4 sd plus the truncated last lines.
    expect(Math.abs(poisoned - 200)).toBeLessThan(4 * 13.4 + 5);
  });

  it('gives no faults at poison rate 0', () => {
    expect(all({ ...BASE, poisonRate: 0 }).every((l) => l.entry.faults.length === 0 && l.entry.expect === 'silver')).toBe(true);
  });

  it('writes clean records that the contract accepts, with unique ids and increasing timestamps', () => {
    const ids = new Set<string>();
    let last = '';
    for (const l of all({ ...BASE, poisonRate: 0 })) {
      expect(judge(l.text)).toEqual({ expect: 'silver', reasons: [] });
      const record = JSON.parse(l.text) as Record<string, unknown>;
      expect(Object.keys(record).every((k) => k in contractDoc.columns)).toBe(true);
      const ts = record.event_timestamp as string;
      expect(ts > last).toBe(true);
      last = ts;
      ids.add(record.event_id as string);
      expect(l.entry.event_id).toBe(record.event_id);
      if (record.event_type !== 'purchase') expect(record).not.toHaveProperty('amount');
      else expect(Number.isInteger(record.amount)).toBe(false);
    }
    expect(ids.size).toBe(2000);
  });

  it('labels each line with what it really holds (checked by an independent reading of the contract)', () => {
    const drift = DRIFT_KINDS.map((kind, i) => ({ kind, fromFile: i + 1 }));
    for (const l of [...lines, ...all({ ...BASE, seed: 'drifting', drift })]) {
      const verdict = judge(l.text);
      expect({ line: `${l.entry.file}:${l.entry.line}`, ...verdict }).toEqual({ line: `${l.entry.file}:${l.entry.line}`, expect: l.entry.expect, reasons: l.entry.reasons });
    }
  });

  it('breaks lines exactly as each fault kind says', () => {
    for (const { text, terminated, entry } of lines) {
      const fault = entry.faults[0];
      expect(terminated).toBe(fault !== 'truncated_last_line');
      if (fault === 'malformed_json' || fault === 'truncated_last_line') {
        expect(() => JSON.parse(text)).toThrow();
        expect(entry.event_id).toBeNull();
        if (fault === 'truncated_last_line') expect(entry.line).toBe(400);
        continue;
      }
      const record = JSON.parse(text) as Record<string, unknown>;
      switch (fault) {
        case 'coercible_amount':
          expect(typeof record.amount).toBe('string');
          expect(Number(record.amount).toFixed(2)).toBe(record.amount);
          expect(Number(record.amount) * 4).toSatisfy(Number.isInteger); // exact in binary
          break;
        case 'coercible_user_id':
          expect(String(Number(record.user_id))).toBe(record.user_id);
          break;
        case 'wrong_type':
          expect(Number.isNaN(Number(record.amount))).toBe(true);
          break;
        case 'nested_object':
          expect(record.device).toMatchObject({ os: expect.any(String), version: expect.any(String) });
          break;
        case 'unknown_column':
          expect(record).toHaveProperty('marketing_campaign');
          break;
        case 'negative_amount':
          expect(record.amount as number).toBeLessThan(0);
          break;
        case 'null_required':
          expect(record.user_id).toBeNull();
          break;
        case 'enum_violation':
          expect(record.event_type).toBe('hover');
          break;
        case 'missing_required':
          expect('user_id' in record && 'event_timestamp' in record).toBe(false);
          break;
        default:
          expect(fault).toBeUndefined();
      }
    }
  });

  it('truncates at most one last line per file, and some file at the default rate', () => {
    const truncated = lines.filter((l) => l.entry.faults.includes('truncated_last_line'));
    expect(truncated.length).toBeGreaterThanOrEqual(1);
    expect(new Set(truncated.map((l) => l.fileIndex)).size).toBe(truncated.length);
    const every = all({ ...BASE, files: 3, records: 5, truncateRate: 1 });
    expect(every.filter((l) => !l.terminated).map((l) => `${l.fileIndex}:${l.entry.line}`)).toEqual(['1:5', '2:5', '3:5']);
  });

  it.each(DRIFT_KINDS)('applies %s drift from its file on and never before', (kind: DriftKind) => {
    const drifted = all({ ...BASE, poisonRate: 0.05, drift: [{ kind, fromFile: 3 }] });
    const before = drifted.filter((l) => l.fileIndex < 3);
    const after = drifted.filter((l) => l.fileIndex >= 3 && !l.entry.faults.some((f) => f === 'malformed_json' || f === 'truncated_last_line'));
    expect(before.some((l) => l.entry.faults.some(isDriftKind))).toBe(false);
    expect(before.some((l) => /session_id|device_type|"share"/.test(l.text))).toBe(false);
    for (const l of after) {
      const record = JSON.parse(l.text) as Record<string, unknown>;
      const labelled = l.entry.faults.includes(kind);
      switch (kind) {
        case 'new_column':
          expect(typeof record.session_id).toBe('string');
          expect(labelled).toBe(true);
          break;
        case 'rename':
          expect(record).toHaveProperty('device_type');
          expect(labelled).toBe(true);
          break;
        case 'incompatible_type':
          expect(record.user_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
          expect(labelled).toBe(true);
          break;
        case 'int_to_float': // every purchase that was a purchase before any amount fault
          expect(labelled).toBe(typeof record.quantity === 'number' && !Number.isInteger(record.quantity));
          if (labelled) expect(record.quantity as number).toBeGreaterThanOrEqual(1);
          break;
        case 'new_enum_value':
          expect(labelled).toBe(record.event_type === 'share');
          break;
      }
    }
    const share = after.filter((l) => l.entry.faults.includes(kind)).length / after.length;
    const expected = { new_column: 1, rename: 1, incompatible_type: 1, int_to_float: 0.15, new_enum_value: 0.2 }[kind];
    expect(Math.abs(share - expected)).toBeLessThan(0.04);
  });

  it('lists drift and fault together and expects the worse outcome', () => {
    const mixed = all({ ...BASE, drift: [{ kind: 'new_column', fromFile: 1 }] });
    const coercedUnderDrift = mixed.filter((l) => l.entry.faults.includes('coercible_user_id'));
    expect(coercedUnderDrift.length).toBeGreaterThan(0);
    for (const l of coercedUnderDrift) {
      expect(l.entry.faults).toEqual(['coercible_user_id', 'new_column']);
      expect(l.entry.expect).toBe('quarantine');
      expect(l.entry.expect_healed).toBe('coerced');
    }
  });

  it('is deterministic for a seed', () => {
    const text = (o: ChaosOptions) => all(o).map((l) => l.text).join('\n');
    expect(text(BASE)).toBe(text({ ...BASE }));
    expect(text(BASE)).not.toBe(text({ ...BASE, seed: 2027 }));
  });
});

describe('options', () => {
  it('refuses bad options with a usage error that names them', () => {
    const bad: ChaosOptions[] = [
      { ...BASE, files: 0 },
      { ...BASE, records: 1.5 },
      { ...BASE, poisonRate: 1.2 },
      { ...BASE, poisonRate: Number.NaN },
      { ...BASE, startTime: 'yesterday' },
      { ...BASE, filePrefix: '../x' },
      { ...BASE, drift: [{ kind: 'rename', fromFile: 0 }] },
      { ...BASE, drift: [{ kind: 'rename', fromFile: 1 }, { kind: 'rename', fromFile: 2 }] },
    ];
    for (const options of bad) {
      expect(() => resolveChaosOptions(options)).toThrow(AetlError);
    }
  });

  it('parses KIND@FILE drift specs', () => {
    expect(parseDriftSpec('int_to_float@3')).toEqual({ kind: 'int_to_float', fromFile: 3 });
    for (const text of ['int_to_float', 'nope@2', 'rename@0', 'rename@1.5', 'rename@2@3']) {
      expect(() => parseDriftSpec(text), text).toThrow(/KIND@FILE/);
    }
  });
});
