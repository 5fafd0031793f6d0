/** What every dialect refuses as an identifier, before quoting it its own way. */
import { AetlError } from '../util/errors.js';

/** Throws unless `name` can be an identifier on `engine`: non-empty, no NUL character. */
export function assertIdentifier(name: string, engine: string): void {
  if (name.length > 0 && !name.includes('\u0000')) return;
  const why = name.length === 0 ? 'is empty' : 'contains a NUL character';
  throw new AetlError('contract_invalid', `the name ${JSON.stringify(name)} cannot be a ${engine} identifier: it ${why}`, {
    hint: 'table and column names must be non-empty and must not contain a NUL character',
  });
}
