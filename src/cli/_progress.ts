/**
 * A progress bar on a TTY (files done, records so far); nothing when output is piped, so
 * logs and CI output stay clean.
 */
import cliProgress from 'cli-progress';
import type { RunHooks } from '../pipeline/run-once.js';

export function progressHooks(enabled: boolean): RunHooks & { stop(): void } {
  if (!enabled) return { stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format: ' {bar} {value}/{total} files | {records} records | {file}', hideCursor: true, clearOnComplete: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let base = 0;
  let started = false;
  return {
    onPlan(pending) {
      if (pending.length === 0) return;
      bar.start(pending.length, 0, { records: 0, file: '' });
      started = true;
    },
    onFileStart(object) {
      bar.update({ file: object.key });
    },
    onRecords(_object, n) {
      bar.update({ records: base + n });
    },
    onFileDone(outcome) {
      if (outcome.status === 'done') base += outcome.result.records;
      bar.increment(1, { records: base });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
