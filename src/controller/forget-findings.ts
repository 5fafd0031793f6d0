/**
 * When an incident heals, its records are no longer quarantined: their counts leave the
 * remembered batches (a later recurrence starts afresh) and the EWMA restarts from the
 * window's mean rate, so the table's health stops paying for records that reached silver.
 */
import type { BatchMemory, TableControl } from './types.js';

export function forgetFindings(control: TableControl, keys: readonly string[]): { recent: BatchMemory[]; ewma: number } {
  const drop = new Set(keys);
  let discounted = false;
  const recent = control.recent.map((batch): BatchMemory => {
    let quarantined = batch.quarantined;
    const counts: Record<string, number> = {};
    for (const [key, count] of Object.entries(batch.counts)) {
      if (drop.has(key)) {
        // A record with several reasons counts under several keys: never go below zero.
        quarantined -= count;
        discounted = true;
      } else {
        counts[key] = count;
      }
    }
    return { records: batch.records, quarantined: Math.max(0, quarantined), counts };
  });
  return { recent, ewma: discounted ? meanRate(recent) : control.ewma };
}

function meanRate(recent: readonly BatchMemory[]): number {
  let sum = 0;
  for (const batch of recent) sum += batch.records === 0 ? 0 : batch.quarantined / batch.records;
  return recent.length === 0 ? 0 : sum / recent.length;
}
