/**
 * Approving several incidents one after another (each `approve` a new process that
 * re-reads the contract file) keeps every earlier change: approvals are the agent's
 * versions, approved — never mistaken for an edit of the contract file.
 */
import { describe, expect, it } from 'vitest';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import type { Incident } from '../../src/ledger/incidents.js';
import { assertBuilt, runCli, tempDir, writePipeline } from '../helpers/cli.js';

describe('approving incidents in turn', () => {
  it('keeps every evolved column and type, and the audit holds', async () => {
    assertBuilt();
    const dir = await tempDir('approve-seq');
    await writePipeline(dir, CHAOS_CONTRACT_YAML);
    const cli = (...args: string[]) => runCli(args, dir);
    const drift = ['int_to_float@2', 'rename@3', 'new_enum_value@4', 'incompatible_type@6'].flatMap((d) => ['--drift', d]);
    expect((await cli('chaos', '--out', 'landing', '--files', '6', '--records', '300', '--seed', '7', ...drift)).code).toBe(0);
    expect((await cli('run')).code).toBe(3); // incidents wait for a person
    const waiting = (JSON.parse((await cli('incidents', '--open', '--json')).stdout) as Incident[]).filter((i) => i.status !== 'open');
    expect(waiting.length).toBeGreaterThanOrEqual(3);
    for (const incident of waiting) {
      const approve = await cli('approve', incident.id);
      expect(approve.code, approve.stderr + approve.stdout).toBe(0);
    }
    const incidents = JSON.parse((await cli('incidents', '--json')).stdout) as Incident[];
    expect(incidents.map((i) => i.status)).toEqual(incidents.map(() => 'healed'));
    const history = JSON.parse((await cli('contract', 'history', '--json')).stdout) as Array<{ author: string; changes: Array<{ kind: string }> }>;
    expect(history.filter((v) => v.author === 'user')).toHaveLength(1);
    const current = (await cli('contract', 'show')).stdout;
    expect(current).toMatch(/quantity:.*double/);
    expect(current).toMatch(/device_type/);
    expect(current).toMatch(/share/);
    expect(current).toMatch(/user_id:.*string/);
    expect((await cli('audit')).code).toBe(0);
  });
});
