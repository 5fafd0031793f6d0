/**
 * CSV with a header row. Lines come from the shared byte-level splitter (BOM, line ends
 * LF, CRLF or CR-only, over-limit lines, byte offsets, line numbers); the good ones are
 * fed, a chunk's worth at a time and each ending in `\n`, to csv-parse, which splits
 * fields and joins quoted fields that span lines. Pairing each row with the lines it was
 * parsed from (by csv-parse's line count) gives the record its first line number, offset
 * and exact raw text (its lines joined by their own line ends). csv-parse's `raw` is not
 * used: only our splitter can bound a line's memory and test its UTF-8.
 *
 * Records are `textual`: values are strings, an empty field (`,,` or `""`) is null.
 * Blank and whitespace-only lines between records are skipped (line numbers still count
 * them). Extra trailing fields that are all empty (`1,2,3,,`: a common export bug) are
 * dropped and counted on the record (`extraEmptyFields`, summed in the batch profile).
 * Malformed: a line over `maxLineBytes`, a line that is not UTF-8 (raw in base64), a row
 * with more non-empty fields than the header, a row with fewer fields than the header (a
 * truncated row, never read as nulls; the last row of a file that ends without a line
 * break is named a cut-off upload), a quoted field never closed, a multi-line record over
 * the limit, a quoted field that runs into a malformed line.
 * Line ends inside a quoted field reach the value as `\n`. A header that cannot be read
 * (not UTF-8, over the limit, NUL characters, a quote that never closes) throws
 * `csv_header_invalid` before any record: the file is refused whole (see _csv-header.ts).
 */
import { isAscii, isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { readChunks } from './_chunks.js';
import { csvHeader, csvValue, headerRefused, type CsvHeader } from './_csv-header.js';
import { CsvLineEndSniffer } from './_csv-line-ends.js';
import { CsvRows, type CsvRow } from './_csv-rows.js';
import { LineCursor, type LineEnd } from './_line-cursor.js';
import { invalidUtf8Message, isBlank, keptPrefix, overLimitMessage, rawOfBytes } from './_raw.js';
import type { ReadRecord, Reader, ReaderOptions } from './reader.js';

export const csvReader: Reader = (input, options) => readCsv(input, options);

const NEWLINE = Buffer.from('\n');
/** Three empty lines: enough for csv-parse to look past a pending line end. */
const PADDING = Buffer.from('\n\n\n');

/** A line fed to csv-parse whose row has not come out yet. */
interface FedLine {
  line: number;
  offset: number;
  text: string;
  /** The line end that followed it in the file. */
  eol: LineEnd;
  blank: boolean;
  /** Not a line of the file: PADDING fed to flush csv-parse's look-ahead. */
  padding: boolean;
  /** Bytes fed for this line, newline included. */
  size: number;
  /** Line breaks fed up to this line's end (see CsvRow.breaks). */
  breaks: number;
}

async function* readCsv(input: Readable, options: ReaderOptions): AsyncGenerator<ReadRecord> {
  const state = new CsvState(options);
  const sniffer = new CsvLineEndSniffer(options.maxLineBytes + 4);
  // Chunks are held (at most about one line's worth) until the line ends are known.
  let held: Buffer[] | undefined = [];
  let lines: LineCursor | undefined;
  const feed = (cursor: LineCursor, chunk: Buffer): void => {
    cursor.push(chunk);
    const text = isAscii(chunk) ? chunk.toString('latin1') : undefined;
    while (cursor.next()) state.line(cursor, text !== undefined && cursor.buf === chunk ? text : undefined);
    state.flush();
  };
  for await (const chunk of readChunks(input, options.file)) {
    if (held !== undefined) {
      held.push(chunk);
      const ends = sniffer.push(chunk);
      if (ends === undefined) continue;
      lines = new LineCursor(options.maxLineBytes, ends);
      for (const part of held) feed(lines, part);
      held = undefined;
    } else feed(lines as LineCursor, chunk);
    yield* state.take();
  }
  if (held !== undefined) {
    lines = new LineCursor(options.maxLineBytes, sniffer.finish());
    for (const part of held) feed(lines, part);
  }
  const cursor = lines as LineCursor;
  cursor.finish();
  // Lines found only now have no line break after them: the file may have been cut short.
  while (cursor.next()) state.line(cursor, undefined, true);
  state.flush();
  await state.finish();
  yield* state.take();
}

class CsvState {
  private readonly rows = new CsvRows();
  private header: CsvHeader | undefined;
  /** Lines fed whose row has not come out: `queue[head…]`. */
  private queue: FedLine[] = [];
  private head = 0;
  private queuedBytes = 0;
  private queuedContent = 0;
  /** Line breaks queued for the current parser. */
  private breaks = 0;
  /** Bytes waiting to be written: runs of the chunk, or copies of lines that need a `\n`. */
  private pending: Buffer[] = [];
  /** Where the last pending run of the chunk ends, to extend it with the next line. */
  private runBuf: Buffer | undefined;
  private runStart = 0;
  private runEnd = -1;
  private out: ReadRecord[] = [];
  /** The file's last line when no line break follows it (0 when one does). */
  private unterminatedLine = 0;

  constructor(private readonly options: ReaderOptions) {}

  /** Records completed so far; the caller yields them. */
  take(): ReadRecord[] {
    const out = this.out;
    if (out.length > 0) this.out = [];
    return out;
  }

  line(lines: LineCursor, asciiText: string | undefined, unterminated = false): void {
    const { buf, start, end, line, offset } = lines;
    if (unterminated) this.unterminatedLine = line;
    // Lines of an all-ASCII chunk are valid UTF-8 without a check.
    if (lines.overLimit || (asciiText === undefined && !isUtf8(buf.subarray(start, end)))) {
      this.badLine(lines);
      return;
    }
    const blank = isBlank(buf, start, end);
    // With no record open, a blank line is nothing to csv-parse either: skip it outright.
    if (blank && this.queuedContent === 0) return;
    const text = asciiText !== undefined ? asciiText.slice(start, end) : buf.toString('utf8', start, end);
    // csv-parse counts every `\n` and `\r` as a line break.
    const breaks = text.includes('\r') ? 1 + countCarriageReturns(text) : 1;
    this.enqueue(line, offset, text, lines.eol, blank, false, end - start + 1, breaks);
    if (buf[end] === 0x0a) {
      // The line and its `\n` lie in the chunk: extend the run of contiguous lines.
      if (buf === this.runBuf && start === this.runEnd) this.runEnd = end + 1;
      else {
        this.closeRun();
        this.runBuf = buf;
        this.runStart = start;
        this.runEnd = end + 1;
      }
    } else {
      // A `\r\n` end, a line carried over chunks, or the last line: copy it with a `\n`.
      this.closeRun();
      this.pending.push(Buffer.from(buf.subarray(start, end)), NEWLINE);
    }
    // Over the limit while batching: write now, so an unclosed quote is caught at the limit.
    if (this.queuedBytes > this.options.maxLineBytes + PADDING.length + 1) this.flush();
  }

  /** Writes what is pending to csv-parse and pairs the rows that come out. */
  flush(): void {
    this.closeRun();
    if (this.pending.length === 0) return;
    const bytes = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending = [];
    const { rows, errors } = this.rows.feed(bytes);
    this.settle(rows, errors);
    // What is still queued is one unfinished record (plus a few bytes of look-ahead).
    const { file, maxLineBytes } = this.options;
    if (this.queuedBytes > maxLineBytes + PADDING.length + 1) {
      const first = this.firstContent();
      const spans = `spans lines ${first?.line}-${this.queue.at(-1)?.line}, over the limit of ${maxLineBytes} bytes`;
      this.abort(
        `${file} line ${first?.line}: a quoted field ${spans} ` +
          '(max_line_bytes; often an unclosed quote): close the quote, or raise max_line_bytes in agentic-etl.yaml or split the record',
        `its quoted field ${spans} (max_line_bytes; often an unclosed quote)`,
      );
    }
  }

  async finish(): Promise<void> {
    const { rows, errors } = await this.rows.finish();
    this.settle(rows, errors);
  }

  /** An over-limit or non-UTF-8 line: never fed to csv-parse. */
  private badLine(lines: LineCursor): void {
    const { buf, start, end, line, offset } = lines;
    const { file, maxLineBytes } = this.options;
    this.flush();
    if (this.queuedContent > 0) {
      // Let csv-parse finish the pending row; if it cannot, the bad line is inside a quoted field.
      for (let i = 0; i < PADDING.length; i++) this.enqueue(line, offset, '', '\n', true, true, 1, 1);
      const { rows, errors } = this.rows.feed(PADDING);
      this.settle(rows, errors);
      const which = lines.overLimit ? 'over the limit (max_line_bytes)' : 'not valid UTF-8';
      if (this.queuedContent > 0) {
        this.abort(`${file} line ${this.firstContent()?.line}: a quoted field runs into line ${line}, which is malformed: fix the record`, `its quoted field runs into line ${line}, which is ${which}`);
      }
    }
    if (this.header === undefined) {
      throw headerRefused(file, line, lines.overLimit ? { kind: 'over_limit', size: lines.size, limit: maxLineBytes } : { kind: 'not_utf8' });
    }
    const bytes = buf.subarray(start, end);
    const malformed = lines.overLimit ? overLimitMessage(file, `line ${line}`, lines.size, maxLineBytes) : invalidUtf8Message(file, `line ${line}`, this.options.encoding);
    this.out.push({ line, offset, ...rawOfBytes(lines.overLimit ? keptPrefix(bytes) : bytes), textual: true, malformed });
  }

  private closeRun(): void {
    if (this.runBuf !== undefined) this.pending.push(this.runBuf.subarray(this.runStart, this.runEnd));
    this.runBuf = undefined;
    this.runEnd = -1;
  }

  private enqueue(line: number, offset: number, text: string, eol: LineEnd, blank: boolean, padding: boolean, size: number, breaks: number): void {
    this.breaks += breaks;
    this.queue.push({ line, offset, text, eol, blank, padding, size, breaks: this.breaks });
    this.queuedBytes += size;
    if (!blank) this.queuedContent++;
  }

  private firstContent(): FedLine | undefined {
    for (let i = this.head; i < this.queue.length; i++) if (!(this.queue[i] as FedLine).blank) return this.queue[i];
    return undefined;
  }

  private settle(rows: CsvRow[], errors: Error[]): void {
    for (const row of rows) this.complete(row);
    if (errors.length > 0) {
      const reason = errors.map((error) => error.message).join('; ');
      this.abort(`${this.options.file} line ${this.firstContent()?.line}: ${reason}: close the quote or re-export the file`, reason);
    }
  }

  /** Takes the lines up to a row's end off the queue, without the blank ones before it. */
  private dequeue(breaks: number): FedLine[] {
    const { queue } = this;
    let first = this.head;
    let stop = this.head;
    while (stop < queue.length && (queue[stop] as FedLine).breaks <= breaks) {
      const fed = queue[stop] as FedLine;
      this.queuedBytes -= fed.size;
      if (fed.blank) {
        if (first === stop) first++;
      } else this.queuedContent--;
      stop++;
    }
    const taken = queue.slice(first, stop);
    this.head = stop;
    if (this.head === queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096) {
      this.queue = queue.slice(this.head);
      this.head = 0;
    }
    return taken;
  }

  /** Pairs a row from csv-parse with the lines it was parsed from. */
  private complete(row: CsvRow): void {
    const lines = this.dequeue(row.breaks);
    const first = lines[0];
    if (first === undefined) return; // whitespace-only lines: blank, not a record
    const raw = lines.length === 1 ? first.text : joinLines(lines);
    const { line, offset } = first;
    if (this.header === undefined) {
      if (row.fields.some((field) => field.includes('\u0000'))) throw headerRefused(this.options.file, line, { kind: 'nul' });
      this.header = csvHeader(row.fields);
      return;
    }
    const fit = csvValue(this.header, row.fields);
    if (fit.kind === 'record') {
      const record: ReadRecord = { line, offset, raw, rawEncoding: 'utf8', textual: true, value: fit.value };
      if (fit.extraEmpty > 0) record.extraEmptyFields = fit.extraEmpty;
      this.out.push(record);
      return;
    }
    const cutOff = (lines.at(-1) as FedLine).line === this.unterminatedLine;
    this.out.push({ line, offset, raw, rawEncoding: 'utf8', textual: true, malformed: raggedMessage(this.options.file, line, fit, this.header.names, cutOff) });
  }

  /** The queued record cannot be parsed: it becomes one malformed record and csv-parse starts over. */
  private abort(message: string, headerReason: string): void {
    const lines = this.dequeue(Number.POSITIVE_INFINITY);
    this.rows.reset();
    this.breaks = 0;
    const first = lines[0];
    if (first === undefined) return;
    // The header is the first record: with it unreadable, no row after it can be read right.
    if (this.header === undefined) throw headerRefused(this.options.file, first.line, { kind: 'unparsable', reason: headerReason });
    const raw = keptPrefix(Buffer.from(joinLines(lines.filter((fed) => !fed.padding)))).toString('utf8');
    this.out.push({ line: first.line, offset: first.offset, raw, rawEncoding: 'utf8', textual: true, malformed: message });
  }
}

/** Why a row with the wrong number of fields is malformed, naming the file, the line and the fix. */
function raggedMessage(file: string, line: number, fit: { kind: 'long' | 'short'; fields: number }, names: readonly string[], cutOff: boolean): string {
  const columns = names.length;
  if (fit.kind === 'long') return `${file} line ${line}: row has ${fit.fields} fields, header has ${columns}: fix the row or the header`;
  // A short last row without a line break is a cut-off upload: the rest of the file is missing too.
  if (cutOff) return `${file} line ${line} has ${fit.fields} of ${columns} fields and the file ends without a line break (it looks cut short): re-upload the complete file`;
  const after = fit.fields === 0 ? 'before the first column' : `after \`${names[fit.fields - 1]}\``;
  return (
    `${file} line ${line} has ${fit.fields} of ${columns} fields (the row stops ${after}; a truncated row): ` +
    'missing columns are not read as nulls; fix the row (empty fields for nulls, e.g. `a,,c`) or re-export the file'
  );
}

/** A record's exact text: its lines, each but the last followed by its own line end. */
function joinLines(lines: readonly FedLine[]): string {
  let text = '';
  for (let i = 0; i < lines.length; i++) text += i === lines.length - 1 ? (lines[i] as FedLine).text : (lines[i] as FedLine).text + (lines[i] as FedLine).eol;
  return text;
}

function countCarriageReturns(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) count++;
  return count;
}
