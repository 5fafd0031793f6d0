/** `agentic-etl chaos`: write a seeded event stream with faults and drift, and its ground truth. */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CHAOS_CONTRACT_YAML } from '../chaos/contract.js';
import { parseDriftSpec } from '../chaos/drift.js';
import { isS3Location } from '../chaos/output.js';
import { writeChaos } from '../chaos/write.js';
import { AetlError } from '../util/errors.js';
import { note, printJson, printTable } from './_output.js';

interface ChaosCliOptions {
  out: string;
  files: string;
  records: string;
  poisonRate: string;
  seed: string;
  drift?: string[];
  interval: string;
  contract?: string;
  overwrite?: boolean;
  json?: boolean;
}

function wholeNumber(flag: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new AetlError('usage', `${flag} ${text} is not a whole number ≥ ${min}`, { hint: `e.g. ${flag} ${Math.max(min, 10)}` });
  return n;
}

export default async function chaos(options: ChaosCliOptions): Promise<number> {
  const poisonRate = Number(options.poisonRate);
  if (!(poisonRate >= 0 && poisonRate <= 1)) {
    throw new AetlError('usage', `--poison-rate ${options.poisonRate} is not a share between 0 and 1`, { hint: 'e.g. --poison-rate 0.02' });
  }
  // s3://bucket/prefix is written through the AWS SDK's environment (AWS_ENDPOINT_URL_S3, AWS_REGION, credentials).
  const out = isS3Location(options.out) ? options.out.trim() : resolve(options.out);
  const summary = await writeChaos({
    out,
    files: wholeNumber('--files', options.files, 1),
    records: wholeNumber('--records', options.records, 1),
    poisonRate,
    seed: options.seed,
    drift: (options.drift ?? []).map(parseDriftSpec),
    intervalMs: wholeNumber('--interval', options.interval, 0),
    overwrite: options.overwrite === true,
    onFile: options.json ? undefined : (file) => note(`wrote ${file.file}: ${file.records} records, ${file.poisoned} poisoned, ${file.drifted} drifted${file.truncated ? ', last line truncated' : ''}`),
  });
  if (options.contract !== undefined) await writeFile(resolve(options.contract), CHAOS_CONTRACT_YAML);
  if (options.json) {
    printJson({ out, ...summary });
    return 0;
  }
  printTable(
    ['label', 'records'],
    Object.entries(summary.byLabel).sort(([a], [b]) => a.localeCompare(b)).map(([label, n]) => [label, n]),
  );
  note(`${summary.totals.records} records in ${summary.totals.files} file(s) → ${out} (${summary.totals.clean} clean, ${summary.totals.poisoned} poisoned, ${summary.totals.drifted} drifted); ground truth in ${out.replace(/\/?$/, '/')}.chaos/manifest.ndjson`);
  return 0;
}
