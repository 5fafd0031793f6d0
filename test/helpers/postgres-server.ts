/**
 * A real PostgreSQL server for the test run (vitest globalSetup): Debian's `postgresql`
 * binaries (installed by .ci/run), a throwaway cluster in a temp folder, on a free port
 * on 127.0.0.1, fsync off. Tests get its URL with `inject('postgresUrl')` and make their
 * own database. When the binaries are missing the run says so loudly — and under CI=true
 * the tests that need it fail instead of skipping.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

function findBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Runs as the `postgres` user when we are root (initdb refuses root). */
function asPostgres(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error('postgres did not accept connections within 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export default async function setup({ provide }: { provide: (key: 'postgresUrl', value: string) => void }): Promise<() => Promise<void>> {
  const bin = findBin();
  if (bin === undefined) {
    const message = 'PostgreSQL is not installed (Debian package `postgresql`; .ci/run installs it): the PostgreSQL tests cannot run';
    if (process.env.CI === 'true') throw new Error(message);
    process.stderr.write(`\n*** ${message} — they are SKIPPED ***\n\n`);
    provide('postgresUrl', '');
    return async () => undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'aetl-pg-'));
  const data = join(dir, 'data');
  chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const [initdb, initArgs] = asPostgres(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale']);
  execFileSync(initdb, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  const [postgres, args] = asPostgres(join(bin, 'postgres'), [
    '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
  ]);
  const child = spawn(postgres, args, { stdio: 'ignore' });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitReady(url, child);
  provide('postgresUrl', url);
  return async () => {
    // Through pg_ctl: a signal to `runuser` would not reach the server.
    const [pgCtl, stopArgs] = asPostgres(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']);
    execFileSync(pgCtl, stopArgs, { stdio: 'ignore' });
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}
