/**
 * Timestamps as warehouses hand them back: ISO-8601 text in UTC. Writes carry
 * microseconds (TypedValue's convention); reads give text a person and JSON can use.
 */

/** `2024-01-02T03:04:05.123Z`, or `.123456Z` when the value has sub-millisecond digits. */
export function isoFromMicros(micros: bigint): string {
  // Floor division: BigInt division truncates toward zero, which is wrong before 1970.
  let millis = micros / 1000n;
  if (micros % 1000n < 0n) millis -= 1n;
  const rest = Number(micros - millis * 1000n);
  const iso = new Date(Number(millis)).toISOString();
  return rest === 0 ? iso : `${iso.slice(0, -1)}${String(rest).padStart(3, '0')}Z`;
}

