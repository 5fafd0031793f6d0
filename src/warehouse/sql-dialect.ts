/**
 * The dialect every SQL engine here shares: double-quoted identifiers (quotes doubled),
 * `$n` placeholders, type names from a table, and bound values cast to their column's type
 * where the driver cannot say it. An engine gives only what differs (Kysely's habit): its
 * type names, how a microsecond timestamp parameter becomes a timestamp, and its hooks.
 */
import type { ColumnType, TypeName } from '../contract/types.js';
import { AetlError } from '../util/errors.js';
import type { Capabilities, Dialect } from './warehouse.js';

export interface SqlDialectSpec {
  name: string;
  /** The engine's name in messages, e.g. `PostgreSQL`. */
  engine: string;
  capabilities: Capabilities;
  /** The engine's spelling of each type but decimal. */
  typeNames: Readonly<Record<Exclude<TypeName, 'decimal'>, string>>;
  /** `DECIMAL` or `NUMERIC`: written with `(precision,scale)`. */
  decimalName: string;
  /** SQL turning the `$n` parameter (bigint microseconds since the epoch, UTC) into a timestamp. */
  timestampFromMicros(parameter: string): string;
  /** The stored name for a logical one (a long name shortened); default the name itself. */
  physicalName?(name: string): string;
  alterColumnType?: Dialect['alterColumnType'];
}

/** Every engine refuses an empty name and one holding NUL; anything else is quoted. */
function assertIdentifier(name: string, engine: string): void {
  if (name.length > 0 && !name.includes('\u0000')) return;
  const why = name.length === 0 ? 'is empty' : 'contains a NUL character';
  throw new AetlError('contract_invalid', `the name ${JSON.stringify(name)} cannot be a ${engine} identifier: it ${why}`, {
    hint: 'table and column names must be non-empty and must not contain a NUL character',
  });
}

export function sqlDialect(spec: SqlDialectSpec): Dialect {
  const physical = spec.physicalName ?? ((name: string) => name);
  const placeholder = (index: number): string => `$${index}`;
  const typeName = (type: ColumnType): string =>
    type.name === 'decimal' ? `${spec.decimalName}(${type.precision ?? 18},${type.scale ?? 0})` : spec.typeNames[type.name];
  return {
    name: spec.name,
    capabilities: spec.capabilities,
    quoteIdent(name) {
      assertIdentifier(name, spec.engine);
      return `"${physical(name).replaceAll('"', '""')}"`;
    },
    typeName,
    placeholder,
    /** TypedValue carries timestamps as microseconds and dates, decimals and JSON as text. */
    parameterAs(index, type) {
      switch (type.name) {
        case 'timestamp':
          return spec.timestampFromMicros(placeholder(index));
        case 'date':
        case 'decimal':
        case 'json':
          return `CAST(${placeholder(index)} AS ${typeName(type)})`;
        case 'string':
        case 'integer':
        case 'double':
        case 'boolean':
          return placeholder(index);
      }
    },
    ...(spec.alterColumnType === undefined ? {} : { alterColumnType: spec.alterColumnType }),
    ...(spec.physicalName === undefined ? {} : { physicalName: spec.physicalName }),
  };
}
