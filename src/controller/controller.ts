/**
 * The controller: per table, a health state driven by each batch's quarantine rate (an
 * EWMA against a setpoint, with hysteresis) and by which deviations are sustained drift.
 * Pure functions over plain data (TableControl is persisted as JSON between batches); the
 * healing loop feeds batches in and calls halt / resume / healed as incidents move.
 *
 *   healthy ⇄ degraded   by the EWMA, with a band on each side of the setpoint
 *   healthy | degraded → healing   when a batch shows drift (the loop opens one incident)
 *   healing → healthy | degraded   only through healed() (the fix applied, records replayed)
 *                                  or dismissed() (the incident ended without a fix)
 *   any → halted                   through halt() (no safe fix); left only through resume()
 */
import type { Finding } from '../sensor/findings.js';
import { DEFAULT_CONTROLLER_CONFIG } from './defaults.js';
import { describeDrift, judgeFindings } from './drift.js';
import { findingKey, isDeviation } from './finding-key.js';
import { ewmaNote, ewmaState, settledState } from './hysteresis.js';
import { forgetFindings } from './forget-findings.js';
import type { BatchMemory, ControlChange, ControllerConfig, ControlStep, HealthState, TableControl, Transition } from './types.js';

/** What the controller needs to know about one batch (one file). */
export interface BatchObservation {
  /** Records read from the file, malformed ones included. */
  records: number;
  /** Records routed to quarantine. */
  quarantined: number;
  /** The batch's findings (sensor/findings), coercions included: they are filtered here. */
  findings: Finding[];
  /** The file behind the batch: when given, its drift is remembered as pending until an incident takes it. */
  source?: { key: string; fileId: string; contractVersion: number };
}

/** Files whose drift waits for the healing loop; a longer backlog keeps the newest (their drift is the same episode). */
const MAX_PENDING = 50;

/** A table never seen before: healthy, nothing remembered. */
export function initialControl(table: string): TableControl {
  return { table, state: 'healthy', ewma: 0, batches: 0, recent: [] };
}

/**
 * Quarantined records that count against the table's health. While halted the circuit
 * quarantines every record, valid or not; only the records the sensor found wrong say
 * anything about the data, so the count is capped by the deviations' counts.
 */
function quarantinedOf(state: HealthState, batch: BatchObservation, counts: Record<string, number>): number {
  const quarantined = Math.min(Math.max(0, batch.quarantined), batch.records);
  if (state !== 'halted') return quarantined;
  let deviating = 0;
  for (const count of Object.values(counts)) deviating += count;
  return Math.min(quarantined, deviating);
}

/**
 * Takes one batch into account: its quarantine rate into the EWMA, its deviations judged
 * drift or noise over the window, and the state that follows. `driftThreshold` is the
 * contract's `evolution.drift_threshold`. An empty batch changes nothing but the count.
 */
export function observeBatch(control: TableControl, batch: BatchObservation, config: ControllerConfig, driftThreshold: number): ControlStep {
  const deviations = batch.findings.filter(isDeviation);
  if (!(batch.records > 0)) {
    return { next: { ...control, batches: control.batches + 1 }, rate: 0, drift: [], noise: deviations, transitions: [] };
  }
  const counts: Record<string, number> = {};
  for (const finding of deviations) {
    const key = findingKey(finding);
    counts[key] = (counts[key] ?? 0) + finding.count;
  }
  const quarantined = quarantinedOf(control.state, batch, counts);
  const rate = quarantined / batch.records;
  const ewma = control.recent.length === 0 ? rate : config.alpha * rate + (1 - config.alpha) * control.ewma;
  const memory: BatchMemory = { records: batch.records, quarantined, counts };
  const recent = [...control.recent, memory].slice(-config.window);

  const judgements = judgeFindings(deviations, recent, config, driftThreshold);
  const drifting = judgements.filter((judgement) => judgement.rule !== undefined);
  const drift = drifting.map((judgement) => judgement.finding);
  const noise = judgements.filter((judgement) => judgement.rule === undefined).map((judgement) => judgement.finding);

  let state: HealthState = control.state;
  const transitions: Transition[] = [];
  switch (control.state) {
    case 'halted':
    case 'healing':
      // Left only through resume() / healed(): batches, drifting or clean, do not end an
      // incident; that keeps a sustained drift to one incident however its files arrive.
      break;
    case 'healthy':
    case 'degraded': {
      if (drifting.length > 0) {
        state = 'healing';
        const why = drifting.map((judgement) => describeDrift(judgement, config, driftThreshold)).join('; ');
        transitions.push({ from: control.state, to: state, reason: `drift: ${why}` });
        break;
      }
      const next = ewmaState(control.state, ewma, config);
      state = next.state;
      if (next.transition !== undefined) transitions.push(next.transition);
      break;
    }
    default: {
      const unhandled: never = control.state;
      return unhandled;
    }
  }
  const next: TableControl = { table: control.table, state, ewma, batches: control.batches + 1, recent };
  const pending = [...(control.pending ?? [])];
  if (batch.source !== undefined && drift.length > 0) pending.push({ ...batch.source, drift });
  if (pending.length > 0) next.pending = pending.slice(-MAX_PENDING);
  return { next, rate, drift, noise, transitions };
}

function change(control: TableControl, next: TableControl, reason: string): ControlChange {
  if (next.state === control.state) return { next, transitions: [] };
  return { next, transitions: [{ from: control.state, to: next.state, reason }] };
}

/** Opens the circuit: no safe fix exists. `reason` names what and why, for people. */
export function halt(control: TableControl, reason: string): ControlChange {
  return change(control, { ...control, state: 'halted' }, `halted: ${reason}`);
}

/**
 * Closes the circuit after a person decided; healthy or degraded by the EWMA. No-op unless
 * halted. Pass the pipeline's config: the default's setpoint may not be the table's.
 */
export function resume(control: TableControl, config: ControllerConfig = DEFAULT_CONTROLLER_CONFIG, reason = 'resumed by a person'): ControlChange {
  if (control.state !== 'halted') return { next: control, transitions: [] };
  const state = settledState(control.ewma, config);
  return change(control, { ...control, state }, `${reason}; ${ewmaNote(state, control.ewma, config)}`);
}

/**
 * An incident ended without a fix (rejected, or the policy allows no change): its records
 * stay quarantined and the table leaves healing, healthy or degraded by the EWMA. No-op
 * unless healing. If the drift goes on, the next batch starts a new episode.
 */
export function dismissed(control: TableControl, reason: string, config: ControllerConfig = DEFAULT_CONTROLLER_CONFIG): ControlChange {
  if (control.state !== 'healing') return { next: control, transitions: [] };
  const state = settledState(control.ewma, config);
  return change(control, { ...control, state }, `${reason}; ${ewmaNote(state, control.ewma, config)}`);
}

/**
 * An incident healed: its fix applied and the records of `keys` (finding keys) replayed
 * into silver. Their counts leave the remembered batches (they are no longer quarantined,
 * and a later recurrence starts afresh) and the EWMA restarts from the window's mean rate.
 * Healing → healthy or degraded by that EWMA; halted stays halted (resume() leaves it);
 * healthy and degraded follow the hysteresis rules. Pass the pipeline's config: the
 * default's setpoint may not be the table's.
 */
export function healed(control: TableControl, keys: readonly string[], config: ControllerConfig = DEFAULT_CONTROLLER_CONFIG): ControlChange {
  const { recent, ewma } = forgetFindings(control, keys);
  let state: HealthState = control.state;
  let reason = '';
  switch (control.state) {
    case 'healing':
      state = settledState(ewma, config);
      reason = `healed ${keys.length === 0 ? 'the incident' : keys.join(', ')}; ${ewmaNote(state, ewma, config)}`;
      break;
    case 'healthy':
    case 'degraded': {
      const next = ewmaState(control.state, ewma, config);
      state = next.state;
      reason = next.transition?.reason ?? '';
      break;
    }
    case 'halted':
      break;
    default: {
      const unhandled: never = control.state;
      return unhandled;
    }
  }
  return change(control, { ...control, state, ewma, recent }, reason);
}
