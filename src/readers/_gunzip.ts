/**
 * Gzip decompression that tells bad data from bad I/O. A corrupt or truncated gzip stream
 * is bad data: the bytes decoded before the damage are kept and the failure is recorded
 * in `state.error` for the caller to report as a malformed record. A failing source
 * stream is I/O: it is rethrown.
 */
import { Readable } from 'node:stream';
import { constants, createGunzip, gunzipSync } from 'node:zlib';

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

/**
 * Node's zlib drops the output of the inflate step that meets the damage (up to one
 * 16 KiB chunk), so a small damaged file would yield none of its good records. While the
 * input is small its compressed bytes are kept, and after a failure the output up to the
 * damage is recomputed synchronously. Larger files may lose that last chunk's records
 * (they are in the source file, and the malformed record says where decoding stopped).
 */
const RECOVERY_MAX_INPUT = 1 << 20;
const RECOVERY_MAX_OUTPUT = 16 << 20;

/** The longest output a prefix of `compressed` decodes to without an error (binary search on the prefix length). */
function decodablePrefix(compressed: Buffer): Buffer {
  const options = { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: RECOVERY_MAX_OUTPUT };
  let best = Buffer.alloc(0);
  let lo = 0;
  let hi = compressed.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      best = gunzipSync(compressed.subarray(0, mid), options);
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  return best;
}

/** Decompresses `compressed`; a zlib failure ends the output and lands in `state`. */
export function gunzipKeepingErrors(compressed: Readable, state: GunzipState): Readable {
  const gunzip = createGunzip();
  let sourceError: unknown;
  compressed.on('error', (error) => {
    sourceError = error;
    gunzip.destroy(error);
  });
  let kept: Buffer[] | undefined = [];
  let keptBytes = 0;
  compressed.on('data', (chunk: Buffer) => {
    if (kept === undefined) return;
    keptBytes += chunk.length;
    if (keptBytes > RECOVERY_MAX_INPUT) kept = undefined;
    else kept.push(chunk);
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
      if (kept !== undefined && state.bytesOut <= RECOVERY_MAX_OUTPUT) {
        const recovered = decodablePrefix(Buffer.concat(kept));
        if (recovered.length > state.bytesOut) {
          const rest = recovered.subarray(state.bytesOut);
          state.bytesOut = recovered.length;
          yield rest;
        }
      }
    } finally {
      // Early exit by the consumer: stop reading the source too.
      compressed.destroy();
    }
  }
  return Readable.from(decompressed());
}
