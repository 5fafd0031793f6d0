/**
 * Sustained drift: from file `fromFile` on, the producer changed. Each kind rewrites every
 * record it concerns (some kinds concern only part of the stream: `int_to_float` only
 * purchases, `new_enum_value` a steady share of events) and returns whether it did, so the
 * manifest labels exactly the records that show the drift.
 */
import { AetlError } from '../util/errors.js';
import { DRIFT_KINDS, isDriftKind, type DriftKind } from './labels.js';
import { DEVICES, type ChaosRecord } from './records.js';
import type { Random } from './random.js';

export interface DriftSpec {
  kind: DriftKind;
  /** 1-based index of the first file that shows the drift. */
  fromFile: number;
}

/** Share of events that become `share` under `new_enum_value`. */
export const NEW_ENUM_SHARE = 0.2;

/** A v4-style UUID from the seeded generator. */
function uuid(random: Random): string {
  const h = random.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[random.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20)}`;
}

/** Rewrites `record` as a producer with this drift would send it; false when the record is not concerned. */
export function applyDrift(kind: DriftKind, record: ChaosRecord, random: Random): boolean {
  switch (kind) {
    case 'new_column':
      record.session_id = `sess_${random.hex(12)}`;
      return true;
    case 'int_to_float': {
      // Goods sold by weight: quantity on every purchase, never integral, still >= 1.
      if (record.event_type !== 'purchase') return false;
      record.quantity = random.int(1, 9) + random.pick([0.25, 0.5, 0.75]);
      return true;
    }
    case 'rename': {
      const device = record.device ?? random.pick(DEVICES);
      delete record.device;
      record.device_type = device;
      return true;
    }
    case 'new_enum_value':
      if (!random.chance(NEW_ENUM_SHARE)) return false;
      record.event_type = 'share';
      delete record.amount;
      delete record.quantity;
      return true;
    case 'incompatible_type':
      record.user_id = uuid(random);
      return true;
  }
}

/** Parses the CLI form `KIND@FILE`, e.g. `int_to_float@3`. */
export function parseDriftSpec(text: string): DriftSpec {
  const [kind = '', from = '', ...rest] = text.trim().split('@');
  const fromFile = Number(from);
  if (!isDriftKind(kind) || rest.length > 0 || !Number.isInteger(fromFile) || fromFile < 1) {
    throw new AetlError('usage', `Drift '${text}' is not of the form KIND@FILE.`, {
      hint: `Use one of ${DRIFT_KINDS.join(', ')} and a 1-based file number, e.g. --drift int_to_float@3.`,
    });
  }
  return { kind, fromFile };
}

/** Checks a drift list: known kinds, 1-based file numbers, each kind at most once. */
export function validateDrift(drift: readonly DriftSpec[]): void {
  const seen = new Set<DriftKind>();
  for (const spec of drift) {
    if (!isDriftKind(spec.kind)) {
      throw new AetlError('usage', `Drift kind '${String(spec.kind)}' is unknown.`, { hint: `Use one of ${DRIFT_KINDS.join(', ')}.` });
    }
    if (!Number.isInteger(spec.fromFile) || spec.fromFile < 1) {
      throw new AetlError('usage', `Drift ${spec.kind} starts at file ${spec.fromFile}, which is not a 1-based file number.`, {
        hint: 'Give the number of the first file that should show the drift, e.g. 3.',
      });
    }
    if (seen.has(spec.kind)) {
      throw new AetlError('usage', `Drift ${spec.kind} is given twice.`, { hint: 'Give each drift kind once, with the file it starts at.' });
    }
    seen.add(spec.kind);
  }
}
