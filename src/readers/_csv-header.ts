/**
 * CSV header names and the mapping of a row onto them. Names are trimmed (`Trip_type `
 * is `Trip_type`), an empty name becomes `column_<n>`, and a repeated name gets a suffix
 * (`x`, `x__dup2`, `x__dup3`) so two columns never merge silently.
 */

export interface CsvHeader {
  names: string[];
  /** A name is `__proto__`: plain assignment would set the prototype instead of a key. */
  hasProtoKey: boolean;
}

export function csvHeader(fields: string[]): CsvHeader {
  const seen = new Set<string>();
  const names = fields.map((field, i) => {
    const base = field.trim() || `column_${i + 1}`;
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base}__dup${n}`;
    seen.add(name);
    return name;
  });
  return { names, hasProtoKey: seen.has('__proto__') };
}

/**
 * The record for a row, or a reason it is malformed. Extra trailing fields that are all
 * empty are dropped (real TLC exports end rows with `,,`); extra fields with data are an
 * error. A short row simply lacks the trailing keys. An empty field is null.
 */
export function csvValue(header: CsvHeader, row: string[]): Record<string, unknown> | string {
  const { names } = header;
  if (row.length > names.length) {
    for (let i = names.length; i < row.length; i++) {
      if (row[i] !== '') return `row has ${row.length} fields, header has ${names.length}`;
    }
  }
  const count = Math.min(row.length, names.length);
  const value: Record<string, unknown> = {};
  for (let i = 0; i < count; i++) {
    const field = row[i];
    const cell = field === '' || field === undefined ? null : field;
    if (header.hasProtoKey) Object.defineProperty(value, names[i] as string, { value: cell, enumerable: true, writable: true, configurable: true });
    else value[names[i] as string] = cell;
  }
  return value;
}
