/**
 * Reads a request body with a byte limit, so a sandbox can answer "too large" the way the real
 * service does instead of buffering whatever a client sends.
 */
import type { IncomingMessage } from 'node:http';

export type BodyResult<T> =
  | { ok: true; value: T; bytes: number }
  | { ok: false; reason: 'too_large'; limit: number; message: string }
  | { ok: false; reason: 'aborted'; message: string };

/** Collects the raw body; stops collecting (but keeps draining) once `limit` bytes are exceeded. */
export function readRawBody(req: IncomingMessage, limit: number): Promise<BodyResult<Buffer>> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    const chunks: Buffer[] = [];
    let bytes = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) tooLarge = true;
      // Drain without keeping oversized bodies in memory, so the response can still be written.
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        resolve({ ok: false, reason: 'too_large', limit, message: `request body is ${bytes} bytes; the limit is ${limit} bytes` });
      } else {
        resolve({ ok: true, value: Buffer.concat(chunks), bytes });
      }
    });
    req.on('error', (err) => resolve({ ok: false, reason: 'aborted', message: `request body could not be read: ${err.message}` }));
    req.on('aborted', () => resolve({ ok: false, reason: 'aborted', message: 'client aborted the request' }));
  });
}
