/**
 * csv-parse driven synchronously: `feed` writes bytes and returns the rows they
 * completed. The parser keeps a few bytes of look-ahead, so a row may come out with a
 * later write than the one holding its end. Each row therefore carries csv-parse's count
 * of line breaks (`info.lines`) at its end, which csv.ts uses to pair it with the lines
 * it was parsed from. With `record_delimiter: '\n'` that count is simply the number of
 * `\n` and `\r` bytes fed up to the row's end (each counts once, in or out of quotes).
 *
 * Options: quotes are relaxed (a stray `"` inside an unquoted field is text, as spreadsheet
 * exports write it), the column count is free (csv.ts judges ragged rows against the
 * header), empty lines are skipped. The only parse error left is a quote still open at
 * the end of the input, reported through `on_skip`.
 */
import { Parser } from 'csv-parse';

export interface CsvRow {
  fields: string[];
  /** Line breaks fed up to and including the one that ended this row. */
  breaks: number;
}

/**
 * Notes `info.lines` as each row is pushed. (The `info: true` option gives the same per
 * row, but copies the whole info object for each one: 2.5x slower on 1M rows.)
 */
class CountingParser extends Parser {
  readonly breaks: number[] = [];

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk !== null) this.breaks.push(this.info.lines);
    return super.push(chunk, encoding);
  }
}

export class CsvRows {
  private parser: CountingParser;
  private errors: Error[] = [];

  constructor() {
    this.parser = this.create();
  }

  /** Writes bytes (whole lines, each ending in `\n`) and returns the rows that became complete. */
  feed(bytes: Buffer): { rows: CsvRow[]; errors: Error[] } {
    this.parser.write(bytes);
    return { rows: this.drain(), errors: this.take() };
  }

  /** Ends the input; returns the last rows and any error (an unclosed quote). */
  async finish(): Promise<{ rows: CsvRow[]; errors: Error[] }> {
    const parser = this.parser;
    const rows: CsvRow[] = [];
    parser.end();
    let index = 0;
    for await (const fields of parser) rows.push({ fields: fields as string[], breaks: parser.breaks[index++] ?? 0 });
    return { rows, errors: this.take() };
  }

  /** Drops whatever record the parser holds and starts over, counting breaks from zero. */
  reset(): void {
    this.parser.destroy();
    this.parser = this.create();
  }

  private drain(): CsvRow[] {
    const { parser } = this;
    const rows: CsvRow[] = [];
    let fields: unknown;
    let index = 0;
    while ((fields = parser.read()) !== null) rows.push({ fields: fields as string[], breaks: parser.breaks[index++] ?? 0 });
    parser.breaks.splice(0, index);
    return rows;
  }

  private take(): Error[] {
    if (this.errors.length === 0) return this.errors;
    const errors = this.errors;
    this.errors = [];
    return errors;
  }

  private create(): CountingParser {
    const parser = new CountingParser({
      record_delimiter: '\n',
      relax_quotes: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error) => {
        this.errors.push(error ?? new Error('csv-parse skipped a record'));
        return undefined;
      },
    });
    // Anything csv-parse cannot skip arrives here; csv.ts turns it into a malformed record.
    parser.on('error', (error: Error) => this.errors.push(error));
    return parser;
  }
}
