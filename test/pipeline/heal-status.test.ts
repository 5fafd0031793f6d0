import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../src/agent/actions.js';
import { newIncident, type Incident, type IncidentWork } from '../../src/ledger/incidents.js';
import { holdsCircuit, pendingDecisions, settledStatus } from '../../src/pipeline/heal-status.js';
import type { PolicyVerdict } from '../../src/policy/types.js';

const ACTIONS: Action[] = [
  { kind: 'add_column', column: 'session_id', type: { name: 'string' } },
  { kind: 'extend_enum', column: 'event_type', values: ['share'] },
  { kind: 'halt', reason: 'no safe fix' },
  { kind: 'resume' },
  { kind: 'replay' },
];

/** An incident with some decisions, some of them applied, in any order a crash could leave them. */
const incidentArb: fc.Arbitrary<Incident> = fc
  .tuple(
    fc.array(fc.tuple(fc.constantFrom(...ACTIONS), fc.constantFrom<PolicyVerdict>('auto', 'approve', 'deny')), { maxLength: 4 }),
    fc.subarray(ACTIONS),
  )
  .map(([decided, applied]) => {
    const incident = newIncident('events', ['unknown_column:session_id'], [], 'a.ndjson');
    incident.decisions = decided.map(([action, verdict]) => ({ planned: { action, confidence: 1, rationale: '', evidence: {} }, verdict, reason: 'test' }));
    incident.applied = applied.map((action) => ({ action, ddl: [], contractVersion: 1, at: '', by: 'agent:rules' }));
    return incident;
  });
const workArb = fc.constantFrom<IncidentWork>({ kind: 'apply', actions: [], by: 'agent:rules', at: '' }, { kind: 'reject', actions: [], by: 'user', at: '' });

describe('settledStatus', () => {
  it('says healed only when something was applied and none of the records is left in quarantine', () => {
    fc.assert(
      fc.property(incidentArb, workArb, fc.nat(100), (incident, work, still) => {
        const { status, note } = settledStatus(incident, work, still);
        if (work.kind === 'reject') expect(status).toBe('rejected');
        if (status === 'healed') {
          expect(still).toBe(0);
          expect(incident.applied.some((a) => a.action.kind !== 'halt' && a.action.kind !== 'replay')).toBe(true);
          expect(pendingDecisions(incident)).toEqual([]);
        }
        if (status === 'applied') expect(note).toMatch(new RegExp(`${still} record\\(s\\)`));
        if (status === 'halted') expect(holdsCircuit(incident)).toBe(true);
        if (status === 'awaiting_approval') expect(pendingDecisions(incident).length).toBeGreaterThan(0);
        expect(status).not.toBe('open');
      }),
    );
  });
});
