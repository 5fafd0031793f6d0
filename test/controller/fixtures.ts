/** Findings and batches as the sensor would report them, for controller tests. */
import type { BatchObservation } from '../../src/controller/controller.js';
import type { Finding } from '../../src/sensor/findings.js';

function share(count: number, records: number): number {
  return records === 0 ? 0 : count / records;
}

export function unknownColumn(column: string, count: number, records: number): Finding {
  return { kind: 'unknown_column', column, count, share: share(count, records), inferredType: 'string', observedTypes: { string: count }, samples: ['x'] };
}

export function enumViolation(column: string, count: number, records: number): Finding {
  return { kind: 'enum_violation', column, count, share: share(count, records), allowed: ['click', 'view'], newValues: [{ value: 'share', count }] };
}

export function typeMismatch(column: string, count: number, records: number): Finding {
  return { kind: 'type_mismatch', column, count, share: share(count, records), expected: 'integer', observedTypes: { string: count }, samples: ['"abc"'] };
}

export function malformed(count: number, records: number): Finding {
  return { kind: 'malformed', column: null, count, share: share(count, records), samples: ['{"broken'] };
}

export function coercion(column: string, count: number, records: number): Finding {
  return { kind: 'coercion', column, count, share: share(count, records), to: 'integer', samples: ['42'] };
}

/** A batch whose quarantined records are exactly the deviations' (one reason each). */
export function batchOf(records: number, findings: Finding[] = []): BatchObservation {
  const quarantined = findings.filter((f) => f.kind !== 'coercion').reduce((sum, f) => sum + f.count, 0);
  return { records, quarantined, findings };
}
