/**
 * JSON records: the elements of a top-level array (element `n` is record `n`), or one
 * record for a single top-level object. The structure is followed by strings, escapes and
 * bracket depth only, as the JSON reader documents; a syntax error inside an element does
 * not change the count. Where the structure itself breaks (text between elements that is
 * not `,` or `]`, content after the top-level value, the end of the file inside an element
 * or before `]`), the reader makes the rest of the file one record: the count stops there.
 */
import { CR, LF, SPACE, TAB, type Counter, type CountResult } from './counter.js';

const isWhitespace = (u: number): boolean => u === SPACE || u === LF || u === CR || u === TAB;

const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** A leading UTF-8 BOM: the JSON reader skips its bytes, even those of a partial one. */
const BOM = [0xef, 0xbb, 0xbf];

type Phase = 'start' | 'before' | 'after' | 'element' | 'end' | 'broken';

/** `leadingBomBytes`: the stream's first bytes may still be (part of) a UTF-8 BOM — UTF-8 input whose BOM was not stripped whole. */
export function jsonCounter(options: { leadingBomBytes: boolean }): Counter {
  let phase: Phase = 'start';
  let position = 0;
  let bom = options.leadingBomBytes ? 0 : BOM.length;
  let topLevelObject = false;
  let afterComma = false;
  let elements = 0;
  // The element being walked.
  let kind: 'container' | 'string' | 'scalar' = 'scalar';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let reason = '';
  /** The structure broke inside an element, which is then part of the reader's last record. */
  let unfinished = false;

  const broken = (why: string): void => {
    phase = 'broken';
    reason = why;
  };

  const begin = (unit: number): void => {
    elements++;
    phase = 'element';
    kind = unit === OPEN_ARRAY || unit === OPEN_OBJECT ? 'container' : unit === QUOTE ? 'string' : 'scalar';
    depth = kind === 'container' ? 1 : 0;
    inString = kind === 'string';
    escaped = false;
  };

  /** One unit outside an element. */
  const between = (unit: number): void => {
    switch (phase) {
      case 'start':
        if (position - 1 === bom && bom < BOM.length && unit === BOM[bom]) bom++;
        else if (isWhitespace(unit)) return;
        else if (unit === OPEN_ARRAY) phase = 'before';
        else if (unit === OPEN_OBJECT) {
          topLevelObject = true;
          begin(unit);
        } else broken('the file is not a JSON array or object');
        return;
      case 'before':
        if (isWhitespace(unit)) return;
        if (unit === CLOSE_ARRAY && !afterComma) phase = 'end';
        else if (unit === CLOSE_ARRAY || unit === COMMA) broken(`an element is missing after element ${elements}`);
        else begin(unit);
        return;
      case 'after':
        if (isWhitespace(unit)) return;
        if (unit === COMMA) {
          phase = 'before';
          afterComma = true;
        } else if (unit === CLOSE_ARRAY) phase = 'end';
        else broken(`element ${elements} is not followed by ',' or ']'`);
        return;
      case 'end':
        if (!isWhitespace(unit)) broken('content follows the top-level value');
        return;
      default:
        return;
    }
  };

  return {
    get settled() {
      return phase === 'broken';
    },
    push(units) {
      for (let i = 0; i < units.length && phase !== 'broken'; i++) {
        const unit = units[i] as number;
        position++;
        if (phase !== 'element') {
          between(unit);
          continue;
        }
        if (inString) {
          if (escaped) escaped = false;
          else if (unit === BACKSLASH) escaped = true;
          else if (unit === QUOTE) {
            inString = false;
            if (kind === 'string') phase = 'after';
          }
        } else if (kind === 'scalar') {
          if (unit === COMMA || unit === CLOSE_ARRAY || unit === CLOSE_OBJECT || isWhitespace(unit)) {
            phase = 'after';
            between(unit); // the delimiter is judged as what follows the element
          }
        } else if (unit === QUOTE) inString = true;
        else if (unit === OPEN_ARRAY || unit === OPEN_OBJECT) depth++;
        else if ((unit === CLOSE_ARRAY || unit === CLOSE_OBJECT) && --depth === 0) phase = topLevelObject ? 'end' : 'after';
      }
    },
    finish(): CountResult {
      if (phase === 'element') {
        unfinished = true;
        broken(`the file ends inside element ${elements}`);
      }
      else if (phase === 'before' || phase === 'after') broken("the file ends before the array's closing ']'");
      // A broken structure: the reader's last record holds the rest of the file, from the
      // element in progress (or the next one) on.
      const complete = unfinished ? elements - 1 : elements;
      const result: CountResult = { records: complete, lineSum: (BigInt(complete) * BigInt(complete + 1)) / 2n, lastLine: complete };
      if (phase === 'broken') {
        result.belowLine = complete + 1;
        result.note = `from element ${complete + 1} on, ${reason}: the reader keeps the rest of the file as one record`;
      }
      return result;
    },
  };
}
