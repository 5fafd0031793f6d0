/** The controller's defaults, apart from the zod schema so that pure code need not load it. */
import type { ControllerConfig } from './types.js';

export const DEFAULT_CONTROLLER_CONFIG: Readonly<ControllerConfig> = Object.freeze({
  setpoint: 0.02,
  alpha: 0.3,
  band: 0.01,
  window: 5,
  persistence: 3,
  min_evidence: 10,
});
