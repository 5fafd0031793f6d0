/**
 * The exit statuses every command uses, so that a scheduler can tell them apart: only the
 * CLI entry point (main.ts) ends the process with them. Documented in `--help` and README.
 */
export const EXIT = {
  /** The work is done and nothing waits for a person. */
  ok: 0,
  /** The work found a problem: a file failed, the audit broke, a run or watch stopped on an error. */
  failed: 1,
  /** A usage or configuration mistake: nothing was done. */
  usage: 2,
  /** Done, but a person is needed: a table is halted, or an incident awaits approval. */
  attention: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  a file failed, the audit broke, or the run or watch stopped on an error
  2  a usage or configuration error
  3  needs attention: a table is halted, or an incident awaits approval (run)`;
