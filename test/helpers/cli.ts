/**
 * Runs the built CLI (dist/, made by `npm test` before vitest) as a real child process,
 * the way a user or a scheduler would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const CLI = resolve('dist/cli/main.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does it)`);
}

export function spawnCli(args: string[], cwd: string): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
}

export function runCli(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawnCli(args, cwd);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `aetl-${prefix}-`));
}

/** A pipeline folder: `landing/` as the source, a DuckDB file, the given contract. */
export async function writePipeline(dir: string, contractYaml: string, extra = ''): Promise<void> {
  await writeFile(join(dir, 'events.contract.yaml'), contractYaml);
  await writeFile(
    join(dir, 'agentic-etl.yaml'),
    `pipeline: test\nsource: ./landing\nwarehouse: duckdb:./warehouse.duckdb\ncontract: ./events.contract.yaml\n${extra}`,
  );
}
