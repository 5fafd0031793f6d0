import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/agent/actions.js';
import { applyAction } from '../../src/contract/apply-action.js';
import { parseContract } from '../../src/contract/load-contract.js';
import { rebaseAgentChanges } from '../../src/contract/rebase.js';
import { contractToJson } from '../../src/contract/serialize.js';
import type { Contract } from '../../src/contract/types.js';
import { arbitraryContract } from './arbitrary-contract.js';

const HEAD = `table: events
primary_key: [event_id]
columns:
  event_id: {type: string, required: true}
`;

function contract(columns: string, evolution = ''): Contract {
  return parseContract(`${HEAD}${columns}${evolution}`, 'events.yaml');
}

const USER_V1 = contract(`  event_type: {type: string, enum: [click, view]}
  user_id: {type: integer, min: 0}
  device: {type: string}
`);

/** The agent's version: every action applied in turn, as the actuator records them. */
function agentVersion(base: Contract, actions: Action[]): Contract {
  return actions.reduce((current, action) => applyAction(current, action).contract, base);
}

const AGENT_ACTIONS: Action[] = [
  { kind: 'add_column', column: 'session_id', type: { name: 'string' } },
  { kind: 'widen_type', column: 'user_id', from: { name: 'integer' }, to: { name: 'double' } },
  { kind: 'rename_column', from: 'device_type', to: 'device' },
  { kind: 'extend_enum', column: 'event_type', values: ['refund'] },
];

describe('rebaseAgentChanges', () => {
  const agent = agentVersion(USER_V1, AGENT_ACTIONS);

  it('re-applies every agent change on an edit that touches none of them', () => {
    const edited = contract(`  event_type: {type: string, enum: [click, view]}
  user_id: {type: integer, min: 0}
  device: {type: string, description: "the client"}
  country: {type: string}
`);
    const { contract: result, conflicts } = rebaseAgentChanges(USER_V1, agent, edited);
    expect(conflicts).toEqual([]);
    expect(result).toEqual(
      contract(`  event_type: {type: string, enum: [click, view, refund]}
  user_id: {type: double, min: 0}
  device: {type: string, aliases: [device_type], description: "the client"}
  country: {type: string}
  session_id: {type: string}
`),
    );
  });

  it('returns the user’s contract itself when the agent changed nothing', () => {
    const edited = contract('  device: {type: string}\n');
    expect(rebaseAgentChanges(USER_V1, USER_V1, edited)).toEqual({ contract: edited, conflicts: [] });
  });

  it('re-applies a per-column coercion the agent set', () => {
    const strict = contract('  user_id: {type: integer}\n', 'evolution: {coercion: off}\n');
    const coerced = agentVersion(strict, [{ kind: 'coerce', column: 'user_id', to: 'integer' }]);
    const edited = contract('  user_id: {type: integer, description: "who"}\n', 'evolution: {coercion: off}\n');
    const { contract: result, conflicts } = rebaseAgentChanges(strict, coerced, edited);
    expect(conflicts).toEqual([]);
    expect(result.columns[1]).toEqual({ name: 'user_id', type: { name: 'integer' }, required: false, coercion: 'lossless', description: 'who' });
  });

  it('lets the user’s edit win where it touches the same thing, and reports each conflict', () => {
    const edited = contract(`  event_type: {type: string, enum: [click, view]}
  user_id: {type: "decimal(20,0)", min: 0}
  Session_ID: {type: integer}
`);
    const { contract: result, conflicts } = rebaseAgentChanges(USER_V1, agent, edited);
    expect(result).toEqual(
      contract(`  event_type: {type: string, enum: [click, view, refund]}
  user_id: {type: "decimal(20,0)", min: 0}
  Session_ID: {type: integer}
`),
    );
    expect(conflicts).toEqual([
      'the agent widened `user_id` from integer to double, but you changed it to decimal(20,0); kept yours',
      'the agent changed column `device` (device: aliases +device_type), but your contract no longer has it; kept yours',
      'the agent added column `session_id` (string), but your contract has that name as column `Session_ID`; kept yours',
    ]);
  });

  it('keeps an adopted column the user’s way, with the agent’s later aliases', () => {
    const added = agentVersion(USER_V1, [
      { kind: 'add_column', column: 'session_id', type: { name: 'string' } },
      { kind: 'rename_column', from: 'sid', to: 'session_id' },
    ]);
    const adopted = contract(`  event_type: {type: string, enum: [click, view]}
  user_id: {type: integer, min: 0}
  device: {type: string}
  session_id: {type: string, required: true}
`);
    const { contract: result, conflicts } = rebaseAgentChanges(USER_V1, added, adopted);
    expect(conflicts).toEqual([]);
    expect(result.columns.at(-1)).toEqual({ name: 'session_id', type: { name: 'string' }, required: true, aliases: ['sid'] });
  });

  it('reports an alias the user now uses elsewhere instead of making the contract invalid', () => {
    const edited = contract(`  event_type: {type: string, enum: [click, view]}
  user_id: {type: integer, min: 0}
  device: {type: string}
  device_type: {type: string}
`);
    const { contract: result, conflicts } = rebaseAgentChanges(USER_V1, agent, edited);
    expect(result.columns.find((column) => column.name === 'device')).not.toHaveProperty('aliases');
    expect(conflicts).toEqual(['the agent mapped `device_type` onto `device`, but your contract has `device_type` as column `device_type`; kept yours']);
  });

  it('reports, and does not re-apply, a difference no agent action makes', () => {
    const stricter = contract(`  event_type: {type: string, enum: [click, view]}
  user_id: {type: integer, min: 0, required: true}
  device: {type: string}
`);
    const { contract: result, conflicts } = rebaseAgentChanges(USER_V1, stricter, USER_V1);
    expect(result).toEqual(USER_V1);
    expect(conflicts).toEqual(['user_id: now required is not a change the agent makes; not re-applied']);
  });

  it('never mutates its inputs and always returns a valid contract holding the user’s columns', () => {
    fc.assert(
      fc.property(arbitraryContract, arbitraryContract, (base, edited) => {
        const latest = agentVersion(base, [{ kind: 'add_column', column: 'zz_agent_column', type: { name: 'double' } }].filter(() => !base.columns.some((c) => c.name.toLowerCase() === 'zz_agent_column')) as Action[]);
        const user = { ...edited, table: base.table };
        const snapshot = [base, latest, user].map(contractToJson);
        const { contract: result } = rebaseAgentChanges(base, latest, user);
        expect([base, latest, user].map(contractToJson)).toEqual(snapshot);
        for (const column of user.columns) expect(result.columns.map((c) => c.name)).toContain(column.name);
      }),
      { numRuns: 200 },
    );
  });
});
