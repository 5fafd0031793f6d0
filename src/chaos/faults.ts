/**
 * Sporadic poison pills and how each is injected. A fault changes a clean (possibly
 * drifted) record in exactly the way its label promises; labels.ts says what the ingestion
 * core must make of it. Faults that would overwrite a drift on the same record (a string
 * `user_id` over a UUID `user_id`) are not applicable there, so both labels stay true.
 */
import { FAULT_KINDS, type DriftKind, type FaultKind } from './labels.js';
import { price, type ChaosRecord } from './records.js';
import type { Random } from './random.js';

/** The per-record faults a poisoned record draws from (the truncated last line is chosen per file). */
export const RECORD_FAULT_KINDS: readonly FaultKind[] = FAULT_KINDS.filter((kind) => kind !== 'truncated_last_line');

/** Whether `kind` can be injected into a record that already shows `drifts` without erasing one. */
export function faultApplies(kind: FaultKind, drifts: readonly DriftKind[]): boolean {
  switch (kind) {
    case 'coercible_user_id':
    case 'null_required':
      return !drifts.includes('incompatible_type');
    case 'enum_violation':
      return !drifts.includes('new_enum_value');
    case 'nested_object':
      return !drifts.includes('rename');
    case 'unknown_column':
    case 'wrong_type':
    case 'coercible_amount':
    case 'missing_required':
    case 'malformed_json':
    case 'negative_amount':
    case 'truncated_last_line':
      return true;
  }
}

/** Amount faults come from the purchase path, unless the record is a drifted `share` event. */
function asPurchase(record: ChaosRecord, drifts: readonly DriftKind[]): void {
  if (!drifts.includes('new_enum_value')) record.event_type = 'purchase';
}

/**
 * Changes `record` as `kind` says. `malformed_json` and `truncated_last_line` act on the
 * serialized line instead (see corruptLine) and leave the record as is.
 */
export function injectFault(kind: FaultKind, record: ChaosRecord, drifts: readonly DriftKind[], random: Random): void {
  switch (kind) {
    case 'unknown_column':
      record.marketing_campaign = random.pick(['spring_sale', 'newsletter_0426', 'retargeting_b']);
      return;
    case 'wrong_type':
      asPurchase(record, drifts);
      record.amount = 'one_hundred_dollars';
      return;
    case 'coercible_amount':
      // Quarters are exact binary doubles: "42.50" → 42.5 loses nothing under any reading.
      asPurchase(record, drifts);
      record.amount = (random.int(0, 499) + random.int(0, 3) / 4).toFixed(2);
      return;
    case 'coercible_user_id':
      record.user_id = String(record.user_id);
      return;
    case 'missing_required':
      // Dropping user_id would erase an incompatible_type drift; drop the timestamp instead.
      if (!drifts.includes('incompatible_type') && random.chance(0.5)) delete record.user_id;
      else delete record.event_timestamp;
      return;
    case 'enum_violation':
      record.event_type = 'hover';
      return;
    case 'null_required':
      record.user_id = null;
      return;
    case 'nested_object':
      record.device = { os: record.device ?? 'ios', version: random.pick(['17.1', '14', '13.2']) };
      return;
    case 'negative_amount':
      asPurchase(record, drifts);
      record.amount = -price(random);
      return;
    case 'malformed_json':
    case 'truncated_last_line':
      return;
  }
}

/** The broken text of a line for the faults that break JSON itself. */
export function corruptLine(kind: 'malformed_json' | 'truncated_last_line', text: string, random: Random): string {
  switch (kind) {
    case 'malformed_json':
      // Two things hand-rolled writers do: forget the closing brace, forget key quotes.
      return random.chance(0.5) ? text.slice(0, -1) : text.replace('"event_id":', 'event_id:');
    case 'truncated_last_line': {
      // The writer died mid-record: keep between a third and all but the last character.
      const keep = random.int(Math.ceil(text.length / 3), text.length - 1);
      return text.slice(0, keep);
    }
  }
}
