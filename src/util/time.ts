/** Microseconds since the epoch, the unit of every timestamp agentic-etl writes. */
export function nowMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}
