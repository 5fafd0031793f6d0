/**
 * Timestamps as warehouses hand them back: ISO-8601 text in UTC. Writes carry
 * microseconds (TypedValue's convention); reads give text a person and JSON can use.
 */

const MICROS_PER_DAY = 86_400_000_000n;
/** JavaScript Dates reach ±8.64e15 ms from the epoch (about ±271,821 years). */
const DATE_LIMIT_MILLIS = 8_640_000_000_000_000n;

/** `2024-01-02T03:04:05.123Z`, or `.123456Z` when the value has sub-millisecond digits. */
export function isoFromMicros(micros: bigint): string {
  // Floor division: BigInt division truncates toward zero, which is wrong before 1970.
  let millis = micros / 1000n;
  if (micros % 1000n < 0n) millis -= 1n;
  const rest = Number(micros - millis * 1000n);
  const iso = millis >= -DATE_LIMIT_MILLIS && millis <= DATE_LIMIT_MILLIS ? new Date(Number(millis)).toISOString() : farIso(millis);
  return rest === 0 ? iso : `${iso.slice(0, -1)}${String(rest).padStart(3, '0')}Z`;
}

/**
 * Beyond a Date's range (PostgreSQL's timestamps reach 294276 AD): the calendar date by
 * integer arithmetic (H. Hinnant's civil_from_days), spelled as toISOString spells
 * expanded years (`+294276-12-31T23:59:59.999Z`).
 */
function farIso(millis: bigint): string {
  const micros = millis * 1000n;
  let days = micros / MICROS_PER_DAY;
  if (micros % MICROS_PER_DAY < 0n) days -= 1n;
  const ofDay = Number(millis - days * 86_400_000n);
  const z = Number(days) + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shifted = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1;
  const month = shifted < 10 ? shifted + 3 : shifted - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const time = `${pad(Math.floor(ofDay / 3_600_000))}:${pad(Math.floor(ofDay / 60_000) % 60)}:${pad(Math.floor(ofDay / 1000) % 60)}.${pad(ofDay % 1000, 3)}`;
  return `${year < 0 ? '-' : '+'}${pad(Math.abs(year), 6)}-${pad(month)}-${pad(day)}T${time}Z`;
}
