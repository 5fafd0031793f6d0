/**
 * A JSON number that a double cannot carry faithfully, kept as the text it was written in.
 *
 * JSON.parse turns every number into the nearest double: `12345678901234567890` becomes
 * 12345678901234567000, `1.0000000000000001` becomes 1, `1e400` becomes Infinity (which
 * JSON.stringify then writes as null). The JSON readers keep such numbers as a
 * NumberLiteral (exact-json.ts says which), so that the sensor types them from their digits.
 * Every other number in a record is a plain `number`, and its shortest text (`String(n)`)
 * is the number that was sent.
 */
import { stringify } from 'lossless-json';

export class NumberLiteral {
  /** The literal exactly as written, e.g. `-1.5E+400`. */
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  toString(): string {
    return this.text;
  }

  /**
   * Plain JSON.stringify (event payloads, evidence) writes the literal as a JSON string:
   * its digits, never null. exactJsonText writes it as the number it is.
   */
  toJSON(): string {
    literalWritten = true;
    return this.text;
  }
}

export function isNumberLiteral(value: unknown): value is NumberLiteral {
  return value instanceof NumberLiteral;
}

/** Set by NumberLiteral.toJSON, so exactJsonText learns that JSON.stringify met a literal. */
let literalWritten = false;

const LITERAL_AS_NUMBER = [{ test: isNumberLiteral, stringify: (value: unknown) => (value as NumberLiteral).text }];

/**
 * JSON text of a value that may hold NumberLiterals, each written as its literal: the
 * number as sent. Most values hold none, so JSON.stringify goes first; only when it met a
 * literal (or a bigint, which it refuses) does lossless-json's stringify, which writes
 * number text as given, do the work again. Undefined for undefined, as JSON.stringify.
 */
export function exactJsonText(value: unknown): string | undefined {
  literalWritten = false;
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof TypeError && /BigInt/i.test(error.message))) throw error;
    literalWritten = true;
  }
  return literalWritten ? stringify(value, null, undefined, LITERAL_AS_NUMBER) : text;
}
