/**
 * Clean events: what a healthy producer sends. Each record satisfies CHAOS_CONTRACT_YAML;
 * ids are unique across a run and timestamps strictly increase, both derived from the
 * seed (never the wall clock).
 */
import { mix32, type Random } from './random.js';

/** A record under construction; key order is the order written to the file. */
export type ChaosRecord = Record<string, unknown>;

export const EVENT_TYPES = ['click', 'view', 'purchase'] as const;
export const DEVICES = ['ios', 'android', 'web'] as const;

export interface RecordFactory {
  /** The next clean event, later than every one before it. */
  next(): ChaosRecord;
}

/** A price with cents that are never zero, so a clean amount is never a whole JSON number. */
export function price(random: Random): number {
  return (random.int(1, 499) * 100 + random.int(1, 99)) / 100;
}

export function recordFactory(random: Random, startMs: number): RecordFactory {
  // Ids are `evt_` + a per-seed prefix + a bijective mix of a counter: unique, random-looking.
  const prefix = random.hex(8);
  const salt = random.uint32();
  let counter = 0;
  let clock = startMs;

  return {
    next() {
      clock += random.int(1, 1500);
      const id = `evt_${prefix}${mix32((counter + salt) >>> 0).toString(16).padStart(8, '0')}`;
      counter += 1;
      const roll = random.next();
      const eventType = roll < 0.55 ? 'view' : roll < 0.85 ? 'click' : 'purchase';
      const record: ChaosRecord = {
        event_id: id,
        event_timestamp: new Date(clock).toISOString(),
        event_type: eventType,
        user_id: random.int(0, 249_999),
      };
      if (eventType === 'purchase') record.amount = price(random);
      if (random.chance(0.92)) record.device = random.pick(DEVICES);
      if (eventType === 'purchase' && random.chance(0.75)) record.quantity = random.int(1, 5);
      return record;
    },
  };
}
