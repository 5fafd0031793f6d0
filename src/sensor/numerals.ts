/**
 * Exact arithmetic on numeral text, without ever going through a double: the canonical
 * form that tells whether two numerals denote the same number, and the fitting of a
 * numeral into decimal(p,s) without rounding.
 */

/** A numeral split into sign, significant digits and a power of ten: value = ±digits × 10^exponent. */
export interface NumeralParts {
  negative: boolean;
  /** Significant digits without leading or trailing zeros; '' for zero. */
  digits: string;
  exponent: number;
}

/**
 * Splits numeral text: a FLOAT_NUMERAL, or a JS number's own text (`1e+21`, `-1.5e-7`).
 * The caller has checked the shape; anything else gives meaningless parts.
 */
export function splitNumeral(text: string): NumeralParts {
  const negative = text.charCodeAt(0) === 45; // '-'
  let end = text.length;
  let exponent = 0;
  let e = text.indexOf('e');
  if (e < 0) e = text.indexOf('E');
  if (e >= 0) {
    exponent = Number(text.slice(e + 1));
    end = e;
  }
  const mantissa = text.slice(negative ? 1 : 0, end);
  const dot = mantissa.indexOf('.');
  let digits = mantissa;
  if (dot >= 0) {
    digits = mantissa.slice(0, dot) + mantissa.slice(dot + 1);
    exponent -= mantissa.length - dot - 1;
  }
  let first = 0;
  while (first < digits.length && digits.charCodeAt(first) === 48) first += 1;
  let last = digits.length;
  while (last > first && digits.charCodeAt(last - 1) === 48) {
    last -= 1;
    exponent += 1;
  }
  digits = digits.slice(first, last);
  // Zero has no sign and no exponent: `-0.00` and `0` are the same number.
  return digits === '' ? { negative: false, digits: '', exponent: 0 } : { negative, digits, exponent };
}

/**
 * One text per number: `42.50`, `42.5` and `425e-1` all give `425e-1`; zero gives `0`.
 * Two numerals denote the same number exactly when their canonical texts are equal.
 */
export function canonicalNumeral(text: string): string {
  const { negative, digits, exponent } = splitNumeral(text);
  if (digits === '') return '0';
  return `${negative ? '-' : ''}${digits}e${exponent}`;
}

/** Whether the numeral denotes a whole number (`12`, `1.20e1`, `1e400`; not `1.0000000000000001`). */
export function isWholeNumeral(text: string): boolean {
  return splitNumeral(text).exponent >= 0;
}

/** int64 holds at most 19 digits. */
const INT64_DIGITS = 19;

/**
 * The whole numeral as a bigint, computed from its digits (never through a double); undefined
 * when it has a fraction or more digits than any int64 (`1e400` never builds a 400-digit string).
 * The caller checks the int64 range.
 */
export function bigintOfNumeral(text: string): bigint | undefined {
  const { negative, digits, exponent } = splitNumeral(text);
  if (exponent < 0 || digits.length + exponent > INT64_DIGITS) return undefined;
  if (digits === '') return 0n;
  const magnitude = BigInt(digits + '0'.repeat(exponent));
  return negative ? -magnitude : magnitude;
}

/** Why a numeral does not fit decimal(p,s). */
export type DecimalMisfit = 'needs_rounding' | 'too_large';

/**
 * The numeral as decimal(p,s) text with exactly `scale` fraction digits (`42.5` →
 * `42.50` for scale 2), or why it does not fit. Trailing fraction zeros beyond the scale
 * are dropped (they change nothing); any other digit beyond it would be rounded away.
 */
export function fitDecimal(text: string, precision: number, scale: number): string | DecimalMisfit {
  const { negative, digits, exponent } = splitNumeral(text);
  if (digits === '') return scale > 0 ? `0.${'0'.repeat(scale)}` : '0';
  if (-exponent > scale) return 'needs_rounding';
  const integerDigits = Math.max(0, digits.length + exponent);
  if (integerDigits > precision - scale) return 'too_large';
  let integerPart: string;
  let fraction: string;
  if (exponent >= 0) {
    integerPart = digits + '0'.repeat(exponent);
    fraction = '';
  } else if (digits.length > -exponent) {
    integerPart = digits.slice(0, digits.length + exponent);
    fraction = digits.slice(digits.length + exponent);
  } else {
    integerPart = '0';
    fraction = '0'.repeat(-exponent - digits.length) + digits;
  }
  const sign = negative ? '-' : '';
  return scale > 0 ? `${sign}${integerPart}.${fraction.padEnd(scale, '0')}` : `${sign}${integerPart}`;
}
