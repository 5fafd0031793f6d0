/**
 * The validator for a contract version, bound to what this pipeline's warehouse can store
 * (its dates' and timestamps' range): every place that compiles one goes through here, so
 * `run`, a contract refreshed mid-run and a healed contract judge records alike.
 */
import type { Contract } from '../contract/types.js';
import { compileValidator, type Validator } from '../sensor/validator.js';
import type { Warehouse } from '../warehouse/warehouse.js';

export function validatorFor(warehouse: Warehouse, contract: Contract): Validator {
  return compileValidator(contract, { ranges: warehouse.dialect.capabilities.temporalRanges });
}
