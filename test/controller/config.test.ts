import { describe, expect, it } from 'vitest';
import { DEFAULT_CONTROLLER_CONFIG, parseControllerConfig } from '../../src/controller/config.js';
import { AetlError } from '../../src/util/errors.js';

function failure(value: unknown): AetlError {
  try {
    parseControllerConfig(value);
  } catch (error) {
    expect(error).toBeInstanceOf(AetlError);
    return error as AetlError;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

describe('parseControllerConfig', () => {
  it('gives the defaults for an absent or empty section', () => {
    const expected = { setpoint: 0.02, alpha: 0.3, band: 0.01, window: 5, persistence: 3, min_evidence: 10 };
    expect(DEFAULT_CONTROLLER_CONFIG).toEqual(expected);
    expect(parseControllerConfig(undefined)).toEqual(expected);
    expect(parseControllerConfig(null)).toEqual(expected);
    expect(parseControllerConfig({})).toEqual(expected);
  });

  it('keeps given keys and fills the others', () => {
    expect(parseControllerConfig({ setpoint: 0, alpha: 1, window: 10 })).toEqual({ setpoint: 0, alpha: 1, band: 0.01, window: 10, persistence: 3, min_evidence: 10 });
  });

  it('names the key, the range and the fix for a value out of range', () => {
    const error = failure({ alpha: 0 });
    expect(error.code).toBe('config_invalid');
    expect(error.kind).toBe('terminal');
    expect(error.message).toBe('controller.alpha must be greater than 0 (got 0)');
    expect(error.hint).toContain('controller.alpha takes a weight greater than 0 and at most 1');
    expect(error.hint).toContain('default 0.3');
  });

  it.each([
    [{ setpoint: 1.5 }, 'controller.setpoint must be at most 1 (got 1.5)'],
    [{ setpoint: -0.1 }, 'controller.setpoint must be at least 0 (got -0.1)'],
    [{ alpha: 1.01 }, 'controller.alpha must be at most 1 (got 1.01)'],
    [{ band: -0.01 }, 'controller.band must be at least 0 (got -0.01)'],
    [{ window: 0 }, 'controller.window must be at least 1 (got 0)'],
    [{ persistence: 1 }, 'controller.persistence must be at least 2 (got 1)'],
    [{ setpoint: '2%' }, 'controller.setpoint must be a number (got "2%")'],
  ])('refuses %j', (value, message) => {
    expect(failure(value).message).toBe(message);
  });

  it('refuses a fractional window', () => {
    const error = failure({ window: 2.5 });
    expect(error.message).toMatch(/^controller\.window must be .*whole number/);
    expect(error.hint).toContain('controller.window takes a whole number of batches');
  });

  it('refuses a window shorter than the persistence judged over it', () => {
    const error = failure({ window: 2 });
    expect(error.message).toBe('controller.window must be at least controller.persistence (3), the batches it is judged over (got 2)');
    expect(error.hint).toContain('controller.window takes a whole number of batches, at least controller.persistence');
    expect(failure({ persistence: 6 }).message).toBe('controller.window must be at least controller.persistence (6), the batches it is judged over (got 5)');
    expect(parseControllerConfig({ window: 2, persistence: 2 }).persistence).toBe(2);
  });

  it('refuses unknown keys with a suggestion', () => {
    const error = failure({ setpont: 0.05 });
    expect(error.message).toContain('unknown key `setpont` in controller');
    expect(error.message).toContain('setpoint');
  });

  it('lists every problem at once', () => {
    const error = failure({ alpha: 2, band: -1 });
    expect(error.message).toContain('controller has 2 problems');
    expect(error.message).toContain('controller.alpha');
    expect(error.message).toContain('controller.band');
    expect(error.hint).toContain('controller.alpha takes');
    expect(error.hint).toContain('controller.band takes');
  });

  it('refuses a section that is not a mapping', () => {
    expect(failure(5).message).toBe('controller must be a mapping (key: value) (got 5)');
  });
});
