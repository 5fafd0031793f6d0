/**
 * How large a line the warehouse can take. DuckDB holds each value whole in its buffer pool
 * (`memory_limit`, 64MB unless the warehouse URI says otherwise), and a record's raw text is
 * written to bronze and again to quarantine (or its values to silver): a 300 MB line with
 * max_line_bytes raised stopped the run with "could not allocate block" (issue 7). So a line
 * may be at most a quarter of the pool; a longer one is an over-limit line like any other.
 */

/** DuckDB's memory_limit when the URI sets none: DEFAULT_DUCKDB_MEMORY_LIMIT (warehouse/duckdb), not imported to keep the SDK unloaded. */
const DUCKDB_DEFAULT_MEMORY = 64 * 1000 * 1000;

/** Share of DuckDB's memory_limit one line may take. */
export const LINE_SHARE_OF_MEMORY = 4;

/** Longest max_line_bytes for any warehouse: a JavaScript string holds ~512M characters, and a line is copied a few times. */
export const MAX_LINE_BYTES_CEILING = 256 * 1024 * 1024;

const UNITS: Record<string, number> = {
  b: 1, bytes: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/** `512MB`, `1GiB`, `2 GB` as bytes (DuckDB's spellings); undefined for anything else. */
export function parseMemorySize(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (match === null) return undefined;
  const unit = UNITS[(match[2] || 'b').toLowerCase()];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}

/** DuckDB's memory_limit of a `duckdb:` warehouse URI, in bytes; undefined for other engines or an unreadable value. */
export function duckdbMemoryLimit(warehouse: string): { bytes: number; text: string } | undefined {
  if (!warehouse.startsWith('duckdb:')) return undefined;
  const query = warehouse.indexOf('?');
  const given = query < 0 ? null : new URLSearchParams(warehouse.slice(query + 1)).get('memory_limit');
  if (given === null) return { bytes: DUCKDB_DEFAULT_MEMORY, text: '64MB (the default)' };
  const bytes = parseMemorySize(given);
  return bytes === undefined ? undefined : { bytes, text: given };
}

/** Why max_line_bytes is too large for the warehouse, as a predicate for `max_line_bytes …`; undefined when it fits. */
export function lineBudgetProblem(maxLineBytes: number, warehouse: string): string | undefined {
  const memory = duckdbMemoryLimit(warehouse);
  if (memory === undefined) return undefined;
  const budget = Math.floor(memory.bytes / LINE_SHARE_OF_MEMORY);
  if (maxLineBytes <= budget) return undefined;
  const needed = Math.ceil((maxLineBytes * LINE_SHARE_OF_MEMORY) / 2 ** 20);
  return (
    `(${maxLineBytes}) is more than a quarter of DuckDB's memory_limit ${memory.text}: DuckDB holds a value whole in memory, ` +
    `and a line that long would stop the run; set max_line_bytes to at most ${budget}, or raise the limit, e.g. ` +
    `warehouse: duckdb:<file>?memory_limit=${needed}MiB`
  );
}
