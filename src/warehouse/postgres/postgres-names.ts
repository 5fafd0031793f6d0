/**
 * PostgreSQL keeps identifiers to 63 bytes (NAMEDATALEN − 1) and silently truncates longer
 * ones, so two long names sharing a 63-byte prefix would become one column. The rule here:
 *
 * - a name of at most 63 UTF-8 bytes is used as it is;
 * - a longer name becomes its longest prefix of at most 50 bytes (cut on a character
 *   boundary), `_`, and the first 12 hex digits of the SHA-256 of the whole name — at most
 *   63 bytes, the same for the same name in every process, and different for different
 *   names (a collision needs two names whose hashes share 48 bits).
 *
 * Shortened names are remembered (physical → logical) so the driver can show result
 * columns and described tables under the names the caller used. A process learns a long
 * name when it first spells it (quoteIdent / physicalName); code that compares described
 * columns with its own names compares physical forms (Dialect.physicalName), which needs
 * no memory at all.
 */
import { createHash } from 'node:crypto';

export const MAX_IDENTIFIER_BYTES = 63;
const PREFIX_BYTES = 50;
const HASH_HEX = 12;

const logicalByPhysical = new Map<string, string>();

function prefixOf(name: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of name) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return name.slice(0, end);
}

/** The identifier PostgreSQL stores for `name` (see the rule above). */
export function physicalName(name: string): string {
  // Fast path: 63 UTF-16 units of ASCII is at most 63 bytes; only longer strings are measured.
  if (name.length <= 21 || Buffer.byteLength(name, 'utf8') <= MAX_IDENTIFIER_BYTES) return name;
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, HASH_HEX);
  const physical = `${prefixOf(name, PREFIX_BYTES)}_${hash}`;
  logicalByPhysical.set(physical, name);
  return physical;
}

/** The name a caller used for a shortened identifier, or the identifier itself. */
export function logicalName(physical: string): string {
  return logicalByPhysical.get(physical) ?? physical;
}

/** Whether any name was shortened in this process (lets the driver skip renaming result columns). */
export function anyShortened(): boolean {
  return logicalByPhysical.size > 0;
}
