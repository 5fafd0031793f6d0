/**
 * Healthy or degraded, by the quarantine rate's EWMA against the setpoint, with a band on
 * each side so that a rate hovering around the setpoint does not flap between the two.
 */
import { percent } from './drift.js';
import type { ControllerConfig, HealthState, Transition } from './types.js';

/**
 * An EWMA below this counts as zero. Without it a setpoint of 0 (or a band as wide as the
 * setpoint) could never be left: the EWMA of clean batches only approaches 0.
 */
const EWMA_FLOOR = 1e-6;

/** Degraded above this. */
export function upperBound(config: ControllerConfig): number {
  return config.setpoint + config.band;
}

/** Healthy again below this (or at a zero EWMA when it is 0). */
export function lowerBound(config: ControllerConfig): number {
  return Math.max(0, config.setpoint - config.band);
}

function aboveReason(ewma: number, config: ControllerConfig): string {
  return `quarantine rate EWMA ${percent(ewma)} above setpoint ${percent(config.setpoint)} + band ${percent(config.band)}`;
}

function belowReason(ewma: number, config: ControllerConfig): string {
  const lower = lowerBound(config);
  return lower > 0
    ? `quarantine rate EWMA ${percent(ewma)} below setpoint ${percent(config.setpoint)} − band ${percent(config.band)}`
    : `quarantine rate EWMA back to ${percent(ewma)}`;
}

/**
 * The state the EWMA calls for, given the current one: healthy stays healthy up to
 * setpoint + band; degraded stays degraded down to setpoint − band. With the transition
 * when it changes.
 */
export function ewmaState(
  from: 'healthy' | 'degraded',
  ewma: number,
  config: ControllerConfig,
): { state: 'healthy' | 'degraded'; transition?: Transition } {
  switch (from) {
    case 'healthy':
      if (ewma > upperBound(config)) return { state: 'degraded', transition: { from, to: 'degraded', reason: aboveReason(ewma, config) } };
      return { state: 'healthy' };
    case 'degraded':
      if (ewma < lowerBound(config) || ewma < EWMA_FLOOR) {
        return { state: 'healthy', transition: { from, to: 'healthy', reason: belowReason(ewma, config) } };
      }
      return { state: 'degraded' };
    default: {
      const unhandled: never = from;
      return unhandled;
    }
  }
}

/**
 * Where a table goes when an incident or a halt ends: degraded if the EWMA is above the
 * upper bound, healthy otherwise (there is no previous side of the band to keep).
 */
export function settledState(ewma: number, config: ControllerConfig): 'healthy' | 'degraded' {
  return ewma > upperBound(config) ? 'degraded' : 'healthy';
}

/** `quarantine rate EWMA 0.4%`, with `, above setpoint … + band …` when it is degraded. */
export function ewmaNote(state: HealthState, ewma: number, config: ControllerConfig): string {
  return state === 'degraded' ? aboveReason(ewma, config) : `quarantine rate EWMA ${percent(ewma)}`;
}
