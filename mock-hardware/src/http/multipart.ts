/**
 * Streaming multipart/form-data reader. Firmware pushes are up to hundreds of MiB, so parts are handed on in chunks as
 * they arrive; only a boundary-sized tail is ever held back.
 */

export interface PartSink {
  write(chunk: Buffer): void;
  end(): void;
}

export interface PartHeaders {
  name?: string;
  filename?: string;
  contentType?: string;
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2])!.trim() : undefined;
}

/** Reads every part of `body`, calling `onPart` for each; throws on malformed input. */
export async function readMultipart(body: AsyncIterable<Buffer>, boundary: string, onPart: (h: PartHeaders) => PartSink): Promise<number> {
  const delim = Buffer.from(`\r\n--${boundary}`);
  // Prepending CRLF lets the first boundary match the same delimiter as the others.
  let buf: Buffer = Buffer.from('\r\n');
  let state = 'preamble' as 'preamble' | 'headers' | 'body' | 'done';
  let sink: PartSink | undefined;
  let parts = 0;
  const step = (): boolean => {
    if (state === 'preamble') {
      const i = buf.indexOf(delim);
      if (i < 0) {
        buf = buf.subarray(Math.max(0, buf.length - delim.length));
        return false;
      }
      buf = buf.subarray(i + delim.length);
      state = 'headers';
      return true;
    }
    if (state === 'headers') {
      if (buf.length < 2) return false;
      if (buf.subarray(0, 2).toString() === '--') {
        state = 'done';
        return false;
      }
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > 16 * 1024) throw new Error('multipart part headers too long');
        return false;
      }
      const text = buf.subarray(0, end).toString('utf8');
      buf = buf.subarray(end + 4);
      const h: PartHeaders = {};
      for (const line of text.split('\r\n')) {
        const [k, ...v] = line.split(':');
        const val = v.join(':').trim();
        if (/^content-disposition$/i.test(k?.trim() ?? '')) {
          const n = /\bname="([^"]*)"/i.exec(val);
          const f = /\bfilename="([^"]*)"/i.exec(val);
          if (n) h.name = n[1]!;
          if (f) h.filename = f[1]!;
        } else if (/^content-type$/i.test(k?.trim() ?? '')) h.contentType = val;
      }
      sink = onPart(h);
      parts++;
      state = 'body';
      return true;
    }
    if (state === 'body') {
      const i = buf.indexOf(delim);
      if (i < 0) {
        const keep = delim.length - 1;
        if (buf.length > keep) {
          sink!.write(buf.subarray(0, buf.length - keep));
          buf = buf.subarray(buf.length - keep);
        }
        return false;
      }
      if (i > 0) sink!.write(buf.subarray(0, i));
      sink!.end();
      sink = undefined;
      buf = buf.subarray(i + delim.length);
      state = 'headers';
      return true;
    }
    return false;
  };
  for await (const chunk of body) {
    if (state === 'done') continue;
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (step());
  }
  if (state !== 'done') throw new Error('multipart body ended before the closing boundary');
  return parts;
}
