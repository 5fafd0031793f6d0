/**
 * The controller's vocabulary: per table, a health state driven by the quarantine rate
 * against a setpoint (EWMA with hysteresis) and by which findings are sustained drift.
 */
import type { Finding } from '../sensor/findings.js';
import type { NestedBaseline } from '../sensor/nested-findings.js';

export type HealthState = 'healthy' | 'degraded' | 'healing' | 'halted';

/** `controller:` in agentic-etl.yaml. */
export interface ControllerConfig {
  /** Target quarantine rate (0..1). Default 0.02. */
  setpoint: number;
  /** EWMA weight of the newest batch (0..1]. Default 0.3. */
  alpha: number;
  /** Hysteresis band around the setpoint: degraded above setpoint+band, healthy again below setpoint-band. Default 0.01. */
  band: number;
  /** Batches in the sliding window over which a finding's share is measured. Default 5. */
  window: number;
  /** A finding present in this many consecutive batches, each above half the drift threshold, is drift. Default 3. */
  persistence: number;
  /**
   * Records a finding must show within the window before it can be drift, whatever its
   * share: in files of a few records one poison pill is a large share. Default 10.
   */
  min_evidence: number;
}

/** One batch as the controller remembers it. */
export interface BatchMemory {
  records: number;
  quarantined: number;
  /** Record counts per finding key (see findingKey). */
  counts: Record<string, number>;
}

/**
 * A file whose drift the healing loop has not yet taken into an incident. Written with the
 * file's own transaction and removed with the incident that takes the drift, so a crash
 * between the two leaves the drift here for the next run, never forgotten.
 */
export interface PendingDrift {
  key: string;
  fileId: string;
  /** The contract version the file was judged against. */
  contractVersion: number;
  drift: Finding[];
}

/** Persisted per table between batches and processes (plain JSON). */
export interface TableControl {
  table: string;
  state: HealthState;
  /** EWMA of the batch quarantine rate. */
  ewma: number;
  batches: number;
  /** The last `window` batches, oldest first. */
  recent: BatchMemory[];
  /** Drift judged but not yet in an incident (absent when none). */
  pending?: PendingDrift[];
  /**
   * Per json column and path, the JSON types earlier batches showed: the baseline for
   * nested_type_change findings (sensor/nested-findings.ts). Absent until a json column held an object.
   */
  nested?: NestedBaseline;
}

export interface Transition {
  from: HealthState;
  to: HealthState;
  reason: string;
}

export interface ControlStep {
  next: TableControl;
  /**
   * This batch's quarantine rate as the EWMA took it (0 for an empty batch). While halted it
   * counts only records the sensor found wrong, not those the open circuit held back.
   */
  rate: number;
  /** Findings judged sustained drift: the architect's input. */
  drift: Finding[];
  /** Findings judged noise (poison pills): their records simply stay quarantined. */
  noise: Finding[];
  transitions: Transition[];
}

/** The result of a transition made outside a batch: halt, resume, healed. */
export interface ControlChange {
  next: TableControl;
  /** Empty when the state did not change. */
  transitions: Transition[];
}
