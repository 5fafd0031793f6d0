/** What the rules brain's parts share: the planning context and how actions are built. */
import { formatType, type ColumnSpec, type Contract } from '../contract/types.js';


import { parseJsonExact } from '../readers/exact-json.js';
import type { MissingRequiredFinding } from '../sensor/findings.js';





import { type Action, type PlanInput, type PlannedAction } from './actions.js';

export interface Context {
  contract: Contract;
  columns: Map<string, ColumnSpec>;
  stats: PlanInput['columnStats'];
  /** Renames chosen, by unknown key. */
  renames: Map<string, PlannedAction>;
  /** Why a key with `renameOf` is not renamed, by unknown key. */
  renameSkipped: Map<string, string>;
  missing: Map<string, MissingRequiredFinding>;
}

export const round = (value: number): number => Math.round(value * 100) / 100;
export const percent = (share: number): string => `${round(share * 100)}%`;

export function planned(action: Action, confidence: number, rationale: string, evidence: Record<string, unknown>): PlannedAction {
  return { action, confidence: round(Math.min(1, Math.max(0, confidence))), rationale, evidence };
}

export function halt(reason: string, confidence: number, rationale: string, evidence: Record<string, unknown>): PlannedAction {
  return planned({ kind: 'halt', reason }, confidence, rationale, evidence);
}

/**
 * A finding's sample back as the value it was: samples of type mismatches are JSON text
 * (shortened ones stay text), parsed as the readers parse, so `1.0000000000000001` stays
 * that number and does not become the integer 1.
 */
export function parseSample(sample: unknown): unknown {
  if (typeof sample !== 'string') return sample;
  try {
    return parseJsonExact(sample);
  } catch {
    return sample;
  }
}

export function nonNullTypes(observed: Partial<Record<string, number>>): string[] {
  return Object.entries(observed)
    .filter(([type, count]) => type !== 'null' && (count ?? 0) > 0)
    .map(([type]) => type);
}

export function specEvidence(spec: ColumnSpec): Record<string, unknown> {
  const evidence: Record<string, unknown> = { contractType: formatType(spec.type), required: spec.required };
  if (spec.enum !== undefined) evidence.enum = spec.enum;
  if (spec.min !== undefined) evidence.min = spec.min;
  if (spec.max !== undefined) evidence.max = spec.max;
  if (spec.pattern !== undefined) evidence.pattern = spec.pattern;
  return evidence;
}

