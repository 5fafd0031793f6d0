/**
 * The byte chunks of a reader's input, with I/O failures turned into one error type.
 * A source stream that errors is an I/O failure (retry may help), not bad data, so it is
 * thrown as a transient `source_read_failed` instead of becoming a malformed record.
 */
import type { Readable } from 'node:stream';
import { AetlError, errorMessage, isAetlError } from '../util/errors.js';

export function sourceReadFailed(file: string, cause: unknown): AetlError {
  if (isAetlError(cause)) return cause;
  return new AetlError('source_read_failed', `reading ${file} failed: ${errorMessage(cause)}`, {
    kind: 'transient',
    hint: 'check that the source is reachable and the object still exists, then run again',
    cause,
  });
}

/** Yields the input's chunks as Buffers; a stream error is rethrown as `source_read_failed`. */
export async function* readChunks(input: Readable, file: string): AsyncGenerator<Buffer> {
  try {
    // The try spans the yields on purpose: a for-await consumer can only return() into
    // this generator, never throw(), so every error caught here comes from the input.
    for await (const chunk of input) {
      yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
    }
  } catch (error) {
    throw sourceReadFailed(file, error);
  }
}
