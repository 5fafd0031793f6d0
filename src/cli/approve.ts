/**
 * `agentic-etl approve ID` / `reject ID`: a person's decision on an incident that is not
 * final. Approve applies the pending actions (author `user`), resumes a table it halted
 * and replays; reject leaves the records in quarantine and, if halted, resumes the flow of
 * valid records. The work itself is pipeline/heal-person.ts.
 */
import type { Command } from 'commander';
import { approveIncident, rejectIncident, type PersonResult } from '../pipeline/heal-person.js';
import { openPipeline } from '../pipeline/open-pipeline.js';
import { note, say } from './_output.js';
import { healLine } from './_heal-lines.js';

const listen = (event: Parameters<typeof healLine>[0]) => say(healLine(event));

function report({ incident, settled }: PersonResult): number {
  if (settled) note(`incident ${incident.id} is ${incident.status} now (its interrupted work was finished): nothing left to decide`);
  return 0;
}

export default async function approve(id: string, _options: unknown, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const pipeline = await openPipeline(config);
  try {
    return report(await approveIncident(pipeline, id, listen));
  } finally {
    await pipeline.close();
  }
}

export async function reject(id: string, options: { reason?: string }, command: Command): Promise<number> {
  const { config } = command.optsWithGlobals<{ config: string }>();
  const pipeline = await openPipeline(config);
  try {
    return report(await rejectIncident(pipeline, id, options.reason, listen));
  } finally {
    await pipeline.close();
  }
}
