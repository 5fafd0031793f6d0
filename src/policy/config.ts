/**
 * `policy:` in agentic-etl.yaml: a verdict per action kind, e.g.
 *
 *     policy:
 *       rename_column: auto      # trust renames the architect finds
 *       extend_enum: deny        # enums change only by hand
 *
 * Unset kinds take DEFAULT_POLICY (policy.ts). Hard rules and the contract's evolution
 * rules still bind whatever is set here.
 */
import { z } from 'zod';
import { ACTION_KINDS } from '../agent/actions.js';
import { zodProblems } from '../config/yaml-errors.js';
import { AetlError } from '../util/errors.js';
import type { PolicyConfig, PolicyVerdict } from './types.js';

export const POLICY_VERDICTS: readonly PolicyVerdict[] = ['auto', 'approve', 'deny'];

const verdict = z.enum(POLICY_VERDICTS as [PolicyVerdict, ...PolicyVerdict[]]).optional();

export const policyConfigSchema = z.strictObject(Object.fromEntries(ACTION_KINDS.map((kind) => [kind, verdict])));

// Parsed under a `policy` key so that messages name the key as the YAML file spells it.
const wrapped = z.strictObject({ policy: policyConfigSchema });

/** Validates the `policy:` section (absent or empty means all defaults). */
export function parsePolicyConfig(value: unknown): PolicyConfig {
  const result = wrapped.safeParse({ policy: value ?? {} }, { reportInput: true });
  if (result.success) return result.data.policy as PolicyConfig;
  const problems = zodProblems(result.error.issues, () => ACTION_KINDS);
  throw new AetlError('config_invalid', `The policy section is invalid: ${problems.map((problem) => problem.message).join('; ')}.`, {
    hint: `set each key under policy: to ${POLICY_VERDICTS.join(', ')}; the keys are the action kinds ${ACTION_KINDS.join(', ')}`,
  });
}
