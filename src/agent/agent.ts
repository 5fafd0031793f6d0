/**
 * The architect extension point: findings + contract + silver facts → a plan from the
 * closed action set (actions.ts). The healing loop imports only this file; each brain is
 * its own file (`rules.ts` now, `llm.ts` later).
 */
import { AetlError } from '../util/errors.js';
import type { Architect, Brain } from './actions.js';
import { rulesArchitect } from './rules.js';

export type { Architect, Brain, Plan, PlanInput, PlannedAction } from './actions.js';

/** The architect for `brain`: `rules` (deterministic, offline, the default). `llm` is not built yet. */
export function createArchitect(brain: Brain): Architect {
  switch (brain) {
    case 'rules':
      return rulesArchitect();
    case 'llm':
      throw new AetlError('config_invalid', 'The llm architect brain is not built yet.', {
        hint: 'use the rules brain (the default); the llm brain comes with a later release',
      });
  }
}
