/**
 * The real-drift yardstick measures correctly: its ground truth names fields the real files
 * have, it counts records from the files' text (the truncated last line included), its
 * arithmetic is right on hand-made outcomes, and a whole run on the TLC sequence accounts
 * for every row. It does not assert that healing reaches the targets: that is what the
 * yardstick is for (`npm run bench:real`).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL_DRIFT_SEQUENCES, landStep, recordLines, runRealDrift, scoreRealDrift, scoreRenames, type DriftSequence, type RealDriftResult } from '../../src/chaos/real-drift/index.js';
import type { RecordOutcome } from '../../src/chaos/scorecard.js';

const sequence = (name: string): DriftSequence => REAL_DRIFT_SEQUENCES.find((s) => s.name === name)!;

/** The field names of a landed file: a CSV's trimmed, unquoted header, or every NDJSON line's keys. */
function fieldNames(file: string, text: string): Set<string> {
  if (file.endsWith('.csv')) return new Set(text.split('\n')[0]!.split(',').map((name) => name.trim().replace(/^"|"$/g, '')));
  return new Set(text.split('\n').filter((line) => line.trim() !== '').flatMap((line) => Object.keys(JSON.parse(line) as object)));
}

/**
 * Whether a sequence's npm data is installed. A worktree sharing another's node_modules may
 * lack the pinned aliases until it runs `npm ci`; CI always has them, so there it must not skip.
 */
const dataInstalled = (seq: DriftSequence): boolean =>
  process.env.CI === 'true' || seq.steps.every((step) => step.source.kind !== 'npm-json-array' || existsSync(join('node_modules', step.source.package, 'package.json')));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aetl-real-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the real-drift ground truth', () => {
  it.each(REAL_DRIFT_SEQUENCES.map((s) => [s.name, s] as const))('%s names fields the real files have', async (_name, seq) => {
    if (!dataInstalled(seq)) return void console.warn(`${seq.name}: its npm data is not installed here, run \`npm ci\``);
    const names: Array<Set<string>> = [];
    for (const step of seq.steps) {
      const folder = await mkdtemp(join(dir, 'gt-'));
      const text = await readFile(await landStep(step, folder), 'utf8');
      names.push(fieldNames(step.file, text));
      // Every truncated line is a record line, and a landed file has records.
      const lines = recordLines(step.file, text);
      expect(lines.length).toBeGreaterThan(0);
      for (const line of step.truncated) expect(lines, `${step.file}:${line}`).toContain(line);
    }
    const all = new Set(names.flatMap((set) => [...set]));
    for (const [oldName, newName] of Object.entries(seq.renames)) {
      // The old name is in some version and the new one in a later version, never both in one file.
      const from = names.findIndex((set) => set.has(oldName));
      const to = names.findIndex((set) => set.has(newName));
      expect(from, oldName).toBeGreaterThanOrEqual(0);
      expect(to, newName).toBeGreaterThan(from);
      for (const set of names) expect(set.has(oldName) && set.has(newName), `${oldName} and ${newName} in one file`).toBe(false);
    }
    for (const name of seq.notRenames) expect(all, name).toContain(name);
  });

  it('calls the cut-off last line of each TLC head truncated', async () => {
    for (const name of ['tlc-green', 'tlc-fhv']) {
      for (const step of sequence(name).steps) {
        const text = await readFile(await landStep(step, await mkdtemp(join(dir, 'tlc-'))), 'utf8');
        expect(step.truncated).toEqual([recordLines(step.file, text).at(-1)]);
        expect(text.endsWith('\n')).toBe(false);
      }
    }
  });
});

describe('the real-drift arithmetic', () => {
  it('scores renames as precision over applied and recall over the ground truth, source names trimmed', () => {
    const truth = { a: 'A', b: 'B', c: 'C', d: 'D' };
    const score = scoreRenames(truth, [
      { from: 'A', to: 'a' },
      { from: 'A ', to: 'a' }, // the same rename twice counts once
      { from: 'B', to: 'b' },
      { from: 'C', to: 'd' }, // wrong target
    ]);
    expect(score).toEqual({ applied: 3, correct: 2, truth: 4, precision: 2 / 3, recall: 0.5, wrong: ['C→d'], missed: ['C→c', 'D→d'] });
    expect(scoreRenames({}, [])).toMatchObject({ precision: null, recall: null });
    expect(scoreRenames({ a: 'A' }, [{ from: 'a', to: 'A' }])).toMatchObject({ precision: 0, recall: 0 }); // direction matters
  });

  it('counts complete and truncated rows, quarantine, lost, duplicated and strangers', () => {
    const seq: DriftSequence = { name: 'hand', table: 't', about: '', renames: {}, notRenames: [], steps: [{ file: 'f.csv', source: { kind: 'shared', path: 'x' }, truncated: [5] }] };
    const at = (line: number, place: RecordOutcome['place']): RecordOutcome => ({ file: 'f.csv', line, place, coerced: false, reasons: [] });
    const outcomes = [at(2, 'silver'), at(3, 'quarantine'), at(4, 'silver'), at(4, 'quarantine'), at(5, 'silver'), at(9, 'silver')];
    expect(scoreRealDrift(seq, new Map([['f.csv', [2, 3, 4, 5, 6]]]), outcomes, [])).toMatchObject({
      records: 5, complete: 4, completeInSilver: 2, truncated: 1, truncatedInSilver: 1, quarantined: 2, lost: 1, duplicated: 1, unexpected: 1,
    });
  });
});

describe('a run of the TLC green sequence', () => {
  let result: RealDriftResult;
  beforeAll(async () => {
    result = await runRealDrift(sequence('tlc-green'), { dir: await mkdtemp(join(dir, 'run-')) });
  }, 30_000);

  it('accounts for every row of both files exactly once, the two truncated ones as truncated', () => {
    const s = result.score;
    expect(s).toMatchObject({ sequence: 'tlc-green', records: 16, complete: 14, truncated: 2, lost: 0, duplicated: 0, unexpected: 0 });
    // Whatever healing achieved, each row is in silver or in quarantine.
    expect(s.completeInSilver + s.truncatedInSilver + s.quarantined).toBe(s.records);
    expect(s.renames.truth).toBe(14);
    expect(s.renames.correct + s.renames.missed.length).toBe(14);
  });

  it('finds nothing applied without the policy, and the audit passes', () => {
    expect(result.unsafeActions).toBe(0);
    expect(result.auditOk).toBe(true);
  });
});
