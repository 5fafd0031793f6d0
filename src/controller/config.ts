/**
 * The `controller:` section of agentic-etl.yaml: setpoint, EWMA weight, hysteresis band
 * and the drift window. Every key is optional (defaults below); unknown keys and values
 * out of range fail with a sentence naming the key (`controller.alpha must be …`).
 */
import { z } from 'zod';
import { zodProblems } from '../config/yaml-errors.js';
import { AetlError } from '../util/errors.js';
import { DEFAULT_CONTROLLER_CONFIG } from './defaults.js';
import type { ControllerConfig } from './types.js';

export { DEFAULT_CONTROLLER_CONFIG };

/** What each key accepts, shown in the hint when the key is wrong. */
const KEY_HELP: Record<keyof ControllerConfig, string> = {
  setpoint: 'a share between 0 and 1, e.g. 0.02 for 2 %',
  alpha: 'a weight greater than 0 and at most 1, e.g. 0.3',
  band: 'a share of at least 0, e.g. 0.01',
  window: 'a whole number of batches, at least controller.persistence, e.g. 5',
  persistence: 'a whole number of batches, at least 2 and at most controller.window, e.g. 3',
  min_evidence: 'a whole number of records, at least 1, e.g. 10',
};

const D = DEFAULT_CONTROLLER_CONFIG;

export const controllerConfigSchema = z
  .strictObject({
    setpoint: z.number().min(0).max(1).default(D.setpoint),
    alpha: z.number().gt(0).max(1).default(D.alpha),
    band: z.number().min(0).max(1).default(D.band),
    window: z.number().int().min(1).default(D.window),
    persistence: z.number().int().min(2).default(D.persistence),
    min_evidence: z.number().int().min(1).default(D.min_evidence),
  })
  .superRefine((config, ctx) => {
    // Persistence is judged over the remembered batches, which are the last `window`.
    // Zod runs this even when a key itself was refused: say nothing more in that case.
    const valid = Number.isInteger(config.window) && config.window >= 1 && Number.isInteger(config.persistence) && config.persistence >= 2;
    if (valid && config.persistence > config.window) {
      ctx.addIssue({
        code: 'custom',
        path: ['window'],
        message: `must be at least controller.persistence (${config.persistence}), the batches it is judged over (got ${config.window})`,
        input: config.window,
      });
    }
  });

// The schema's output and the documented interface must stay the same shape.
type SchemaOutput = z.output<typeof controllerConfigSchema>;
const _sameShape: [SchemaOutput] extends [ControllerConfig] ? ([ControllerConfig] extends [SchemaOutput] ? true : false) : false = true;
void _sameShape;

const CONTROLLER_KEYS = Object.keys(KEY_HELP);

function isControllerKey(key: PropertyKey | undefined): key is keyof ControllerConfig {
  return typeof key === 'string' && key in KEY_HELP;
}

/**
 * Validates the `controller:` section (absent or empty means all defaults). Throws
 * AetlError `config_invalid` naming each wrong key and, in its hint, what it accepts.
 */
export function parseControllerConfig(value: unknown): ControllerConfig {
  const result = controllerConfigSchema.safeParse(value ?? {}, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ ...issue, path: ['controller', ...issue.path] }));
  const problems = zodProblems(issues, () => CONTROLLER_KEYS);
  const message = problems.length === 1 ? (problems[0]?.message ?? '') : `controller has ${problems.length} problems: ${problems.map((p) => p.message).join('; ')}`;
  const badKeys = [...new Set(result.error.issues.map((issue) => issue.path[0]).filter(isControllerKey))];
  const fixes = badKeys.map((key) => `controller.${key} takes ${KEY_HELP[key]} (default ${D[key]})`);
  const hint =
    fixes.length > 0
      ? `${fixes.join('; ')}; leave a key out to use its default`
      : `the controller section takes only ${CONTROLLER_KEYS.join(', ')}, each optional`;
  return failure(message, hint);
}

function failure(message: string, hint: string): never {
  throw new AetlError('config_invalid', message, { hint });
}
