/**
 * Contract patterns: RE2 syntax, matched by re2js in time linear in the value's length.
 * JavaScript's own engine backtracks: `(a+)+$` against fifty `a`s and a `b` never ends,
 * and one such value stopped `run` for good (issue 7). RE2 gives up the features that need
 * backtracking — backreferences (`\1`) and lookaround (`(?=…)`, `(?<=…)`) — so a pattern
 * using them is refused when the contract is loaded, naming the column.
 */
import { RE2JS } from 're2js';

/** A compiled contract pattern. */
export interface ContractPattern {
  /** Whether the whole value matches (the contract promises a full match: no anchors needed). */
  matches(value: string): boolean;
}

/** The compiled pattern, or why RE2 cannot compile it (a clause: "invalid escape sequence: `\1`"). */
export function compilePattern(source: string): { pattern: ContractPattern } | { error: string } {
  try {
    const compiled = RE2JS.compile(source);
    return { pattern: { matches: (value) => compiled.matches(value) } };
  } catch (error) {
    // re2js prefixes every syntax error with "error parsing regexp: "; the caller says that.
    const message = error instanceof Error ? error.message.replace(/^error parsing regexp: /, '') : String(error);
    return { error: message };
  }
}

/** The fix for a pattern RE2 refuses, for messages. */
export const PATTERN_SYNTAX_HINT =
  'patterns use RE2 syntax (matched in linear time): no backreferences such as \\1 and no lookaround such as (?=…); ' +
  'repeat counts go up to 1000';
