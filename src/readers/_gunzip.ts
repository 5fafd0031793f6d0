/**
 * Gzip decompression that tells bad data from bad I/O. A corrupt or truncated gzip stream
 * is bad data: the bytes decoded before the damage are kept and the failure is recorded
 * in `state.error` for the caller to report as a malformed record. A failing source
 * stream is I/O: it is rethrown.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface GunzipState {
  /** The zlib error that ended the stream early, if any. */
  error: Error | undefined;
  /** Decompressed bytes produced: the offset where the damage begins. */
  bytesOut: number;
}

function isZlibError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('Z_');
}

/** Decompresses `compressed`; a zlib failure ends the output and lands in `state`. */
export function gunzipKeepingErrors(compressed: Readable, state: GunzipState): Readable {
  const gunzip = createGunzip();
  let sourceError: unknown;
  compressed.on('error', (error) => {
    sourceError = error;
    gunzip.destroy(error);
  });
  compressed.pipe(gunzip);
  async function* decompressed(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of gunzip) {
        state.bytesOut += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    } catch (error) {
      if (sourceError !== undefined) throw sourceError;
      if (!isZlibError(error)) throw error;
      state.error = error;
    } finally {
      // Early exit by the consumer: stop reading the source too.
      compressed.destroy();
    }
  }
  return Readable.from(decompressed());
}
