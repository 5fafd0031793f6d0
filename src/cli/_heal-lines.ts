/** One readable line per step of the healing loop, for `run`, `watch` and the demo. */
import pc from 'picocolors';
import { describeAction } from '../agent/actions.js';
import type { HealEvent } from '../pipeline/heal-events.js';

export function healLine(event: HealEvent): string {
  switch (event.kind) {
    case 'detected':
      return `${pc.yellow('⚠ drift')}   ${event.incident.id} in ${event.file}: ${event.incident.findingKeys.join(', ')}`;
    case 'recovering':
      return `${pc.yellow('↺ resume')}  ${event.incident.id} (${event.incident.status}), left unfinished by an interrupted run: ${event.step}`;
    case 'attached':
      return `${pc.dim('· drift')}   ${event.file} joins ${event.incident.id} (${event.incident.batches} batches)`;
    case 'planned':
      return `${pc.cyan('✎ plan')}    ${event.incident.id}: ${event.actions.map((a) => `${describeAction(a.action)} (${Math.round(a.confidence * 100)}%)`).join('; ')}`;
    case 'decided':
      return `${pc.cyan('⚖ policy')}  ${event.incident.id}: ${event.decisions.map((d) => `${d.planned.action.kind} → ${d.verdict}`).join(', ')}`;
    case 'applied':
      return `${pc.green('✓ applied')} ${event.incident.id}: ${describeAction(event.applied.action)}${event.applied.ddl.length ? ` — ${event.applied.ddl.join('; ')}` : ''} (contract v${event.applied.contractVersion})`;
    case 'replayed':
      return `${pc.green('↻ replay')}  ${event.incident.id}: ${event.result.promoted} record(s) promoted to silver, ${event.result.stillInvalid} still quarantined`;
    case 'status': {
      const color = event.status === 'healed' ? pc.green : event.status === 'halted' ? pc.red : pc.yellow;
      // `applied` is not `healed`: records are still quarantined, so it reads as a warning.
      return `${color(`● ${event.status}`)} ${event.incident.id}: ${event.note}`;
    }
    case 'controller':
      return `${pc.dim('◇ health')}  ${event.table}: ${event.transition.from} → ${event.transition.to} (${event.transition.reason})`;
  }
}
