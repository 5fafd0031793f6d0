/**
 * The manifest is ground truth only if the real reader and sensor agree with it: every
 * generated line, read by the NDJSON reader and validated against the chaos contract as
 * the contract loader parses it, must land where the manifest says, with its reason kinds.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import { DRIFT_KINDS } from '../../src/chaos/labels.js';
import { readManifest } from '../../src/chaos/manifest.js';
import { writeChaos } from '../../src/chaos/write.js';
import { parseContract } from '../../src/contract/load-contract.js';
import { ndjsonReader } from '../../src/readers/ndjson.js';
import { DEFAULT_MAX_LINE_BYTES } from '../../src/readers/reader.js';
import { compileValidator } from '../../src/sensor/validator.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('chaos manifest against the real reader and sensor', () => {
  it('loads the chaos contract', () => {
    const contract = parseContract(CHAOS_CONTRACT_YAML, 'chaos-contract.yaml');
    expect(contract.table).toBe('events');
    expect(contract.primary_key).toEqual(['event_id']);
    expect(contract.columns.map((c) => c.name)).toEqual(['event_id', 'event_timestamp', 'event_type', 'user_id', 'amount', 'device', 'quantity']);
    expect(contract.columns.filter((c) => c.required).map((c) => c.name)).toEqual(['event_id', 'event_timestamp', 'user_id']);
  });

  it('routes every record where the manifest says', async () => {
    const out = await mkdtemp(join(tmpdir(), 'aetl-chaos-sensor-'));
    dirs.push(out);
    const drift = DRIFT_KINDS.map((kind, i) => ({ kind, fromFile: i + 2 }));
    const summary = await writeChaos({ out, files: 6, records: 500, poisonRate: 0.15, seed: 'agreement', drift, truncateRate: 0.5 });
    const manifest = new Map((await readManifest(out)).map((e) => [`${e.file}:${e.line}`, e]));
    const validate = compileValidator(parseContract(CHAOS_CONTRACT_YAML, 'chaos-contract.yaml'));

    let checked = 0;
    for (const file of summary.files) {
      for await (const record of ndjsonReader(createReadStream(join(out, file.file)), { file: file.file, maxLineBytes: DEFAULT_MAX_LINE_BYTES })) {
        const entry = manifest.get(`${file.file}:${record.line}`);
        const verdict = validate(record);
        const actual =
          verdict.status === 'valid'
            ? { expect: verdict.coercions.length > 0 ? 'coerced' : 'silver', reasons: [] }
            : { expect: 'quarantine', reasons: [...new Set(verdict.reasons.map((r) => r.kind))].sort() };
        expect({ at: `${file.file}:${record.line}`, faults: entry?.faults, ...actual }).toEqual({
          at: `${file.file}:${record.line}`,
          faults: entry?.faults,
          expect: entry?.expect,
          reasons: entry?.reasons,
        });
        checked += 1;
      }
    }
    expect(checked).toBe(manifest.size);
  });
});
