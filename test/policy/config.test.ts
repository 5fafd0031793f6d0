import { describe, expect, it } from 'vitest';
import { parsePolicyConfig } from '../../src/policy/config.js';
import { AetlError } from '../../src/util/errors.js';

function failure(value: unknown): AetlError {
  try {
    parsePolicyConfig(value);
  } catch (error) {
    if (error instanceof AetlError) return error;
    throw error;
  }
  throw new Error('expected parsePolicyConfig to throw');
}

describe('parsePolicyConfig', () => {
  it('reads a verdict per action kind', () => {
    expect(parsePolicyConfig({ rename_column: 'auto', extend_enum: 'deny' })).toEqual({ rename_column: 'auto', extend_enum: 'deny' });
  });

  it('reads an absent or empty section as all defaults', () => {
    expect(parsePolicyConfig(undefined)).toEqual({});
    expect(parsePolicyConfig(null)).toEqual({});
    expect(parsePolicyConfig({})).toEqual({});
  });

  it('names the key whose verdict is not auto, approve or deny', () => {
    const error = failure({ rename_column: 'yes' });
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain('policy.rename_column must be one of auto, approve, deny (got "yes")');
    expect(error.hint).toContain('auto, approve, deny');
  });

  it('names a key that is not an action kind, with a suggestion when close', () => {
    expect(failure({ drop_column: 'auto' }).message).toContain('unknown key `drop_column` in policy');
    expect(failure({ rename_colum: 'auto' }).message).toContain('did you mean `rename_column`?');
  });

  it('refuses a section that is not a mapping', () => {
    expect(failure(['auto']).message).toContain('policy must be a mapping');
  });
});
