/** Output helpers shared by commands: tables for people, JSON for scripts. */
import Table from 'cli-table3';
import pc from 'picocolors';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}

export function renderTable(head: string[], rows: Array<Array<string | number>>): string {
  const table = new Table({ head: head.map((h) => pc.bold(h)), style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map(String));
  return table.toString();
}

export function printTable(head: string[], rows: Array<Array<string | number>>): void {
  process.stdout.write(`${renderTable(head, rows)}\n`);
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(share > 0 && share < 0.001 ? 3 : 1)}%`;
}

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Diagnostics and progress go to stderr so stdout stays clean for `--json`. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}
