/**
 * The pipeline end to end on an S3 landing zone (s3rver): the chaos monkey writes to the
 * bucket, `run` ingests from it through a config with `source: s3://…`, every generated
 * record lands exactly once, the audit (recounting from the bucket) passes and a second
 * run finds nothing new.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHAOS_CONTRACT_YAML } from '../../src/chaos/contract.js';
import { readManifest } from '../../src/chaos/manifest.js';
import { writeChaos } from '../../src/chaos/write.js';
import { audit } from '../../src/ledger/audit.js';
import { recordOutcomes } from '../../src/ledger/outcomes.js';
import { openPipeline } from '../../src/pipeline/open-pipeline.js';
import { runOnce } from '../../src/pipeline/run-once.js';
import { startS3ServerOrSkip } from '../helpers/s3-server.js';

const server = await startS3ServerOrSkip();
const dirs: string[] = [];
afterAll(async () => {
  await server?.stop();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

if (server === undefined) {
  describe.skip('pipeline on S3 (SKIPPED: s3rver could not start)', () => {
    it('needs s3rver', () => undefined);
  });
} else {
  const s3 = server;
  describe('pipeline on an S3 landing zone', () => {
    it('ingests every chaos record from the bucket exactly once, and a rerun adds nothing', async () => {
      const bucket = await s3.bucket();
      const out = `s3://${bucket}/landing`;
      await writeChaos({ files: 3, records: 300, poisonRate: 0.1, seed: 5, drift: [], out, s3: { endpoint: s3.endpoint } });
      const dir = await mkdtemp(join(tmpdir(), 'aetl-s3-pipeline-'));
      dirs.push(dir);
      await writeFile(join(dir, 'events.contract.yaml'), CHAOS_CONTRACT_YAML);
      await writeFile(
        join(dir, 'agentic-etl.yaml'),
        `pipeline: s3-events\nsource: ${out}\nwarehouse: duckdb:./warehouse.duckdb\ncontract: ./events.contract.yaml\ns3:\n  endpoint: ${s3.endpoint}\n`,
      );
      // Also in the environment, so the test holds whether or not the pipeline hands the s3: section on.
      process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
      try {
        const pipeline = await openPipeline(join(dir, 'agentic-etl.yaml'));
        try {
          expect(pipeline.source.uri).toBe(out);
          const first = await runOnce(pipeline);
          expect(first.outcomes.map((outcome) => [outcome.key, outcome.status])).toEqual([
            ['events-00001.ndjson', 'done'],
            ['events-00002.ndjson', 'done'],
            ['events-00003.ndjson', 'done'],
          ]);
          const second = await runOnce(pipeline);
          expect(second.outcomes).toEqual([]);
          expect(second.alreadyDone).toBe(3);

          const manifest = await readManifest(out, { endpoint: s3.endpoint });
          const outcomes = await recordOutcomes(pipeline.warehouse, 'events');
          expect(outcomes).toHaveLength(manifest.length);
          const seen = new Set(outcomes.map((outcome) => `${outcome.file}:${outcome.line}`));
          for (const entry of manifest) expect(seen.has(`${entry.file}:${entry.line}`), `${entry.file}:${entry.line}`).toBe(true);
          // The recount reads every object again from the bucket, pinned to the ingested ETag.
          const report = await audit(pipeline.warehouse, { recount: { source: pipeline.source, format: pipeline.format, maxLineBytes: pipeline.maxLineBytes } });
          expect(report.ok).toBe(true);
          expect(report.files.map((file) => file.recount?.status)).toEqual(['equal', 'equal', 'equal']);
        } finally {
          await pipeline.close();
        }
      } finally {
        delete process.env.AWS_ENDPOINT_URL_S3;
      }
    });
  });
}
