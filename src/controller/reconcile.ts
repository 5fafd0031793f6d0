/**
 * The table's state as its incidents call for it. The healing loop does not step the
 * controller by events that a crash could split from the incident they belong to; after
 * each step it says what the incidents need — the circuit open (an incident is halted), an
 * incident at work (healing), or none (settled) — and the controller follows. Pure.
 */
import { forgetFindings } from './forget-findings.js';
import { ewmaNote, ewmaState, settledState } from './hysteresis.js';
import type { ControlChange, ControllerConfig, HealthState, TableControl } from './types.js';

export type ControlTarget = 'halted' | 'healing' | 'settled';

function moved(control: TableControl, next: TableControl, reason: string): ControlChange {
  if (next.state === control.state) return { next, transitions: [] };
  return { next, transitions: [{ from: control.state, to: next.state, reason }] };
}

/**
 * Moves `control` to `target`. `reason` says why, for people. `forget` are the finding keys
 * of an incident that healed: their records left quarantine, so they leave the remembered
 * batches and the EWMA restarts from the window (see forgetFindings). Settled means healthy
 * or degraded by the EWMA: from healthy or degraded with the hysteresis band, from healing
 * or halted by the EWMA alone.
 */
export function reconcile(control: TableControl, target: ControlTarget, config: ControllerConfig, reason: string, forget: readonly string[] = []): ControlChange {
  const { recent, ewma } = forget.length > 0 ? forgetFindings(control, forget) : { recent: control.recent, ewma: control.ewma };
  const at = (state: HealthState): TableControl => ({ ...control, recent, ewma, state });
  switch (target) {
    case 'halted':
      return moved(control, at('halted'), `halted: ${reason}`);
    case 'healing':
      return moved(control, at('healing'), reason);
    case 'settled':
      switch (control.state) {
        case 'healthy':
        case 'degraded': {
          const next = ewmaState(control.state, ewma, config);
          return moved(control, at(next.state), next.transition?.reason ?? '');
        }
        case 'healing':
        case 'halted': {
          const state = settledState(ewma, config);
          return moved(control, at(state), `${reason}; ${ewmaNote(state, ewma, config)}`);
        }
        default: {
          const unhandled: never = control.state;
          return unhandled;
        }
      }
    default: {
      const unhandled: never = target;
      return unhandled;
    }
  }
}
