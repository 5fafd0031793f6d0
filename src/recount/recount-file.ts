/**
 * The audit's check of one file the ledger holds as done: a recount of the records its
 * source object holds, compared with the file's bronze rows — count and sum of line
 * numbers, so a row lost and another invented do not cancel out.
 *
 * The source is taken as it is now. A file deleted or changed since it was ingested, or
 * ingested from another source than the one configured, cannot be recounted: that is
 * reported (never a failure, since the warehouse still holds what was ingested), as is a
 * damaged gzip stream and a source that fails while being read.
 */
import { detectFormat } from '../readers/open-records.js';
import type { FormatSetting } from '../readers/reader.js';
import type { Source, SourceObject } from '../sources/source.js';
import { errorMessage } from '../util/errors.js';
import { countStream } from './recount-stream.js';

export type NotRecountable = 'gone' | 'changed' | 'other_source' | 'damaged' | 'unreadable';

export type Recount =
  | {
      status: 'equal' | 'differs';
      /** Records the source holds by the recount (before `belowLine`, when set). */
      sourceRecords: number;
      /** The file's bronze rows (before `belowLine`, when set). */
      bronzeRecords: number;
      /** Only records starting before this line were compared; `note` says why. */
      belowLine?: number;
      note?: string;
    }
  | { status: 'not_recountable'; reason: NotRecountable; note: string };

export interface RecountSettings {
  source: Source;
  format: FormatSetting;
  maxLineBytes: number;
}

/** A done file as the ledger and bronze know it. */
export interface IngestedFile {
  table: string;
  fileId: string;
  source: string;
  key: string;
  version: string;
  bronze: { records: number; lineSum: bigint };
}

/** The file's bronze rows that start before a line (for a recount that vouches only for that part). */
export type BronzeBelow = (file: IngestedFile, belowLine: number) => Promise<{ records: number; lineSum: bigint }>;

export interface Recounter {
  recount(file: IngestedFile): Promise<Recount>;
}

export function createRecounter(settings: RecountSettings, bronzeBelow: BronzeBelow): Recounter {
  let listed: Promise<Map<string, SourceObject>> | undefined;
  // One listing for the whole audit: what the source holds now, by key.
  const listing = async (): Promise<Map<string, SourceObject>> => {
    const objects = new Map<string, SourceObject>();
    for await (const object of settings.source.list()) objects.set(object.key, object);
    return objects;
  };
  const notRecountable = (reason: NotRecountable, note: string): Recount => ({ status: 'not_recountable', reason, note });

  return {
    async recount(file) {
      const { uri } = settings.source;
      if (file.source !== uri) return notRecountable('other_source', `ingested from ${file.source}, not the configured source ${uri}: not recounted`);
      listed ??= listing();
      const object = (await listed).get(file.key);
      if (object === undefined) {
        return notRecountable('gone', 'no longer in the source (deleted or moved since it was ingested): not recounted; what was ingested stays in the warehouse');
      }
      if (object.version !== file.version) {
        return notRecountable('changed', `changed in the source since it was ingested (version ${file.version}, now ${object.version}): that version cannot be recounted; the new one is a file of its own`);
      }
      let counted;
      try {
        const { format, gzip } = detectFormat(file.key, settings.format);
        counted = await countStream(await settings.source.open(object), { format, gzip, maxLineBytes: settings.maxLineBytes });
      } catch (error) {
        return notRecountable('unreadable', `reading it failed (${errorMessage(error)}): not recounted; run audit again`);
      }
      if (counted.damaged) {
        return notRecountable('damaged', `its gzip stream is damaged (${counted.reason}): how much of it the readers recovered cannot be recounted`);
      }
      const { count } = counted;
      const bronze = count.belowLine === undefined ? file.bronze : await bronzeBelow(file, count.belowLine);
      const equal = bronze.records === count.records && bronze.lineSum === count.lineSum;
      const result: Recount = { status: equal ? 'equal' : 'differs', sourceRecords: count.records, bronzeRecords: bronze.records };
      if (count.belowLine !== undefined) result.belowLine = count.belowLine;
      const notes = [count.note, !equal && bronze.records === count.records ? 'as many records, but at other lines' : undefined].filter((n) => n !== undefined);
      if (notes.length > 0) result.note = notes.join('; ');
      return result;
    },
  };
}
