import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ImageSource, MultipartPart } from '../api.js';

const isImage = (v: object): v is ImageSource => typeof (v as ImageSource).open === 'function';

/**
 * A streamed `multipart/form-data` body with its exact length. The length is known up front from the image sizes, so
 * BMCs that refuse chunked uploads get a Content-Length, and memory stays flat whatever the image size.
 */
export function multipartBody(parts: MultipartPart[]): { contentType: string; length: number; stream: Readable } {
  const boundary = `----shoal${randomBytes(12).toString('hex')}`;
  const chunks: (Buffer | ImageSource)[] = [];
  for (const p of parts) {
    if (isImage(p.value)) {
      const type = p.value.contentType ?? 'application/octet-stream';
      const name = p.value.filename.replace(/["\r\n]/g, '_');
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${name}"\r\nContent-Type: ${type}\r\n\r\n`));
      chunks.push(p.value);
      chunks.push(Buffer.from('\r\n'));
    } else {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(p.value)}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  const length = chunks.reduce((n, c) => n + (Buffer.isBuffer(c) ? c.length : c.size), 0);
  async function* generate(): AsyncGenerator<Buffer> {
    for (const c of chunks) {
      if (Buffer.isBuffer(c)) yield c;
      else for await (const piece of c.open() as AsyncIterable<Buffer | string>) yield Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
    }
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, length, stream: Readable.from(generate()) };
}
