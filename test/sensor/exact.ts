/**
 * An independent oracle for losslessness: the exact rational value of numeral text,
 * computed with BigInt (not with the code under test).
 */

/** value = n / 10^scale (scale may be negative). */
export interface Exact {
  n: bigint;
  scale: number;
}

export function exactOfNumeral(text: string): Exact {
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const [mantissa = '', exponentText] = body.split(/[eE]/);
  const [integerPart = '', fraction = ''] = mantissa.split('.');
  const n = BigInt(integerPart + fraction);
  return { n: negative ? -n : n, scale: fraction.length - Number(exponentText ?? '0') };
}

export function exactEqual(a: Exact, b: Exact): boolean {
  const scale = Math.max(a.scale, b.scale);
  return a.n * 10n ** BigInt(scale - a.scale) === b.n * 10n ** BigInt(scale - b.scale);
}

/** True when the exact value has no more than `digits` digits after the point. */
export function fitsScale(value: Exact, digits: number): boolean {
  if (value.scale <= digits) return true;
  return value.n % 10n ** BigInt(value.scale - digits) === 0n;
}

/** |value| < 10^digits */
export function belowPowerOfTen(value: Exact, digits: number): boolean {
  const magnitude = value.n < 0n ? -value.n : value.n;
  // magnitude / 10^scale < 10^digits  <=>  magnitude < 10^(digits + scale)
  const power = digits + value.scale;
  return power >= 0 ? magnitude < 10n ** BigInt(power) : magnitude === 0n;
}
