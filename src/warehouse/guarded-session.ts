/**
 * The session handed to `transaction(work)`: the same methods, refusing to run once the
 * transaction has ended, so a session kept past its work fails loudly instead of running
 * outside any transaction. Shared by every driver.
 */
import { AetlError } from '../util/errors.js';
import type { WarehouseSession } from './warehouse.js';

export function guardedSession(session: WarehouseSession): { tx: WarehouseSession; end(): void } {
  let active = true;
  const guard =
    <A extends unknown[], R>(name: string, method: (...a: A) => Promise<R>) =>
    (...a: A): Promise<R> => {
      if (!active) throw new AetlError('internal', `${name} was called on a finished transaction`, { hint: 'keep using the session only inside transaction(work)' });
      return method(...a);
    };
  return {
    tx: {
      run: guard('run', session.run),
      query: guard('query', session.query) as WarehouseSession['query'],
      bulkWriter: guard('bulkWriter', session.bulkWriter),
      describeTable: guard('describeTable', session.describeTable),
    },
    end: () => {
      active = false;
    },
  };
}
