/**
 * Worker processes for many-worker tests: each worker runs the built CLI's `run --json`
 * again and again until the work is done, the way a scheduler restarts a batch job. Every
 * run's exit and output is kept, so a test can tell which process did what, and each
 * worker's last run must end by itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI } from './cli.js';

export interface WorkerRun {
  worker: number;
  pid: number;
  /** The exit code, or the signal that ended the process. */
  exit: number | NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface WorkerPool {
  /** Finished runs, in the order they ended. */
  runs: WorkerRun[];
  /** The running process with this pid, when it is one of the pool's. */
  running(pid: number): ChildProcess | undefined;
  /** Settles when every worker stopped starting runs because `next` said so. */
  done: Promise<void>;
  /** SIGKILLs every running process (cleanup after a failure). */
  killAll(): void;
}

export interface WorkerPoolOptions {
  workers: number;
  /** The pipeline folder (its agentic-etl.yaml). */
  cwd: string;
  /**
   * Asked after each run, and again after each pause while it says `wait`: `done` ends the
   * worker's loop; `wait` when a new run would find nothing to take (what is left is held
   * by live workers) — a run costs a process start, which a loaded machine feels.
   */
  next: () => Promise<'run' | 'wait' | 'done'>;
  /** Pause before asking `next` again (ms). */
  pauseMs: number;
}

function runOnce(worker: number, cwd: string, started: (child: ChildProcess) => void): Promise<WorkerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', '--json'], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ worker, pid: child.pid ?? -1, exit: code ?? signal, stdout, stderr }));
    started(child);
  });
}

export function startWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const current = new Map<number, ChildProcess>();
  const runs: WorkerRun[] = [];
  let stopped = false;
  const loop = async (worker: number): Promise<void> => {
    while (!stopped) {
      const run = await runOnce(worker, options.cwd, (child) => current.set(worker, child));
      current.delete(worker);
      runs.push(run);
      for (let next = await options.next(); next !== 'run'; next = await options.next()) {
        if (next === 'done' || stopped) return;
        await sleep(options.pauseMs);
      }
    }
  };
  const done = Promise.all(Array.from({ length: options.workers }, (_, worker) => loop(worker))).then(() => undefined);
  // A test that fails before awaiting `done` must not leave its failure unhandled too.
  done.catch(() => undefined);
  return {
    runs,
    running: (pid) => [...current.values()].find((child) => child.pid === pid && child.exitCode === null && child.signalCode === null),
    done,
    killAll() {
      stopped = true;
      for (const child of current.values()) child.kill('SIGKILL');
    },
  };
}
