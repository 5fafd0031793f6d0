/**
 * The length in UTF-8 bytes, and the validity, of one line of text at a time — what the
 * readers' line limit and UTF-8 check see. UTF-8 input is checked by the well-formedness
 * table of the Unicode standard (3-7: no overlongs, no surrogates, nothing past U+10FFFF);
 * UTF-16 input is measured as the readers' transcoding writes it (an unpaired surrogate:
 * 3 bytes, and the line invalid).
 */
export class Utf8Meter {
  private bytes = 0;
  private bad = false;
  private last = 0;
  // UTF-8: continuation bytes still expected, and the range the next one must lie in.
  private need = 0;
  private low = 0x80;
  private high = 0xbf;
  // UTF-16: a high surrogate waiting for its low half (its first 2 bytes already counted).
  private pendingHigh = false;

  constructor(private readonly wide: boolean) {}

  add(unit: number): void {
    if (this.wide) this.addUnit(unit);
    else this.addByte(unit);
  }

  /** Takes back the last unit (the CR of a CRLF turned out to be part of the line end). */
  dropLast(): void {
    this.bytes -= this.last;
  }

  /** The line's length in UTF-8 bytes and whether it is valid text; starts the next line. */
  finishLine(): { bytes: number; bad: boolean } {
    if (this.pendingHigh) this.lone();
    const result = { bytes: this.bytes, bad: this.bad || this.need > 0 };
    this.bytes = 0;
    this.bad = false;
    this.need = 0;
    return result;
  }

  private addByte(b: number): void {
    this.bytes++;
    this.last = 1;
    if (this.need > 0) {
      if (b < this.low || b > this.high) {
        this.bad = true;
        this.need = 0;
      } else {
        this.need--;
        this.low = 0x80;
        this.high = 0xbf;
      }
      return;
    }
    if (b < 0x80) return;
    if (b >= 0xc2 && b <= 0xdf) this.expect(1, 0x80, 0xbf);
    else if (b === 0xe0) this.expect(2, 0xa0, 0xbf);
    else if (b === 0xed) this.expect(2, 0x80, 0x9f);
    else if (b >= 0xe1 && b <= 0xef) this.expect(2, 0x80, 0xbf);
    else if (b === 0xf0) this.expect(3, 0x90, 0xbf);
    else if (b >= 0xf1 && b <= 0xf3) this.expect(3, 0x80, 0xbf);
    else if (b === 0xf4) this.expect(3, 0x80, 0x8f);
    else this.bad = true;
  }

  private expect(need: number, low: number, high: number): void {
    this.need = need;
    this.low = low;
    this.high = high;
  }

  private addUnit(unit: number): void {
    const surrogate = unit >= 0xd800 && unit <= 0xdfff;
    if (this.pendingHigh) {
      if (surrogate && unit >= 0xdc00) {
        this.pendingHigh = false;
        this.bytes += 2; // the pair is 4 bytes
        this.last = 2;
        return;
      }
      this.lone();
    }
    if (surrogate && unit < 0xdc00) {
      this.pendingHigh = true;
      this.bytes += 2;
      this.last = 2;
      return;
    }
    this.last = unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
    this.bytes += this.last;
    if (surrogate) this.bad = true; // a low half with no high half before it
  }

  /** The waiting high surrogate has no low half: 3 bytes of WTF-8, and the line is not valid text. */
  private lone(): void {
    this.pendingHigh = false;
    this.bytes += 1;
    this.bad = true;
  }
}
