/** What the healing loop reports as it goes, for readable lines and the scorecard's time to heal. */
import type { PlannedAction } from '../agent/actions.js';
import type { ReplayResult } from '../actuator/replay.js';
import type { Transition } from '../controller/types.js';
import type { AppliedAction, Incident, IncidentStatus } from '../ledger/incidents.js';
import type { Decision } from '../policy/types.js';

export type HealEvent =
  | { kind: 'detected'; incident: Incident; file: string }
  | { kind: 'attached'; incident: Incident; file: string }
  /** An incident a crash (or a person's earlier command) left unfinished is being finished. */
  | { kind: 'recovering'; incident: Incident; step: string }
  | { kind: 'planned'; incident: Incident; actions: PlannedAction[] }
  | { kind: 'decided'; incident: Incident; decisions: Decision[] }
  | { kind: 'applied'; incident: Incident; applied: AppliedAction }
  | { kind: 'replayed'; incident: Incident; result: ReplayResult }
  | { kind: 'status'; incident: Incident; status: IncidentStatus; note: string }
  | { kind: 'controller'; table: string; transition: Transition };

export type HealListener = (event: HealEvent) => void;
