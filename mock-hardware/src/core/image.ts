import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { Readable } from 'node:stream';

/**
 * Simulated firmware image format. Real images (BFB, OpenBMC tarballs) are opaque to the simulator; what it needs is
 * what a BMC checks: which components an image carries, at which versions, and whether the bytes are intact and signed.
 *
 * Layout: `SHOALFW1\n` + one JSON manifest line + `\n` + payload. The manifest names the SHA-256 and size of the payload
 * and optionally an Ed25519 signature over {@link signedText}. Images without the magic are "raw": accepted where the
 * persona does not require a signature, with the version taken from the file name.
 */
export const IMAGE_MAGIC = 'SHOALFW1\n';
const MAX_HEADER = 64 * 1024;

export interface ImageManifest {
  components: { id: string; version: string }[];
  size: number;
  sha256: string;
  signature?: string;
}

export function signedText(m: Omit<ImageManifest, 'signature'>): string {
  return `shoalfw1|${m.sha256}|${m.size}|${m.components.map((c) => `${c.id}=${c.version}`).join(',')}`;
}

/** Deterministic Ed25519 key pair from a seed string, so that a fleet seed fixes its trust anchor. */
export function signingKeyFromSeed(seed: string): { privateKey: KeyObject; publicKey: KeyObject } {
  const raw = createHash('sha256').update(`mock-hardware-signing/${seed}`).digest();
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), raw]);
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** Result of streaming an image through {@link ImageVerifier}. */
export interface VerifiedImage {
  manifest?: ImageManifest;
  /** SHA-256 of the payload (the whole file for raw images). */
  sha256: string;
  payloadBytes: number;
  totalBytes: number;
  /** Why the image is unusable, if it is. */
  error?: string;
  signed: boolean;
}

/** Streams an image once, in constant memory, and checks it. */
export class ImageVerifier {
  private head: Buffer[] = [];
  private headLen = 0;
  private inPayload = false;
  private raw = false;
  private manifest: ImageManifest | undefined;
  private hash = createHash('sha256');
  private payload = 0;
  private total = 0;
  private headerError: string | undefined;

  write(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.inPayload) {
      this.hash.update(chunk);
      this.payload += chunk.length;
      return;
    }
    this.head.push(chunk);
    this.headLen += chunk.length;
    const buf = Buffer.concat(this.head);
    if (buf.length >= IMAGE_MAGIC.length || this.raw) {
      if (buf.subarray(0, IMAGE_MAGIC.length).toString('latin1') !== IMAGE_MAGIC) return this.startPayload(buf, true);
      const nl = buf.indexOf(10, IMAGE_MAGIC.length);
      if (nl < 0) {
        if (buf.length > MAX_HEADER) {
          this.headerError = 'image header too long';
          this.startPayload(Buffer.alloc(0), false);
        }
        return;
      }
      try {
        this.manifest = JSON.parse(buf.subarray(IMAGE_MAGIC.length, nl).toString('utf8')) as ImageManifest;
      } catch {
        this.headerError = 'image header is not valid JSON';
      }
      this.startPayload(buf.subarray(nl + 1), false);
    }
  }

  end(publicKey?: KeyObject): VerifiedImage {
    if (!this.inPayload) this.startPayload(Buffer.concat(this.head), true);
    const sha256 = this.hash.digest('hex');
    const r: VerifiedImage = { sha256, payloadBytes: this.payload, totalBytes: this.total, signed: false };
    if (this.manifest) r.manifest = this.manifest;
    if (this.headerError) r.error = this.headerError;
    else if (this.manifest) {
      const m = this.manifest;
      if (!Array.isArray(m.components) || !m.components.length) r.error = 'image manifest names no components';
      else if (m.size !== this.payload) r.error = `image truncated or padded: ${this.payload} bytes, manifest says ${m.size}`;
      else if (m.sha256 !== sha256) r.error = 'image digest mismatch';
      else if (m.signature && publicKey) {
        const { signature, ...rest } = m;
        r.signed = verify(null, Buffer.from(signedText(rest)), publicKey, Buffer.from(signature, 'base64'));
        if (!r.signed) r.error = 'image signature invalid';
      }
    }
    return r;
  }

  private startPayload(rest: Buffer, raw: boolean): void {
    this.inPayload = true;
    this.raw = raw;
    this.head = [];
    if (rest.length) {
      this.hash.update(rest);
      this.payload += rest.length;
    }
  }
}

/** Options for {@link createImage}. */
export interface ImageOptions {
  components: { id: string; version: string }[];
  /** Payload size in bytes. Large sizes are streamed, never held in memory. */
  size: number;
  /** Signs the manifest. */
  signingKey?: KeyObject;
  /** Flips a payload byte after the digest is taken, to test digest verification. */
  corrupt?: boolean;
  /** Byte pattern seed; changes the payload and so the digest. */
  seed?: number;
}

const BLOCK = 64 * 1024;

function block(seed: number, i: number): Buffer {
  const b = Buffer.alloc(BLOCK);
  let x = (seed * 2654435761 + i * 40503) >>> 0 || 1;
  for (let j = 0; j < BLOCK; j += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, j);
  }
  return b;
}

/**
 * Builds a simulated image as a stream of known length. The payload is hashed in a first pass so that a 1 GB image
 * never sits in memory.
 */
export function createImage(opts: ImageOptions): { stream: () => Readable; length: number; manifest: ImageManifest } {
  const seed = opts.seed ?? 1;
  const blocks = Math.ceil(opts.size / BLOCK);
  const piece = (i: number) => {
    const b = block(seed, i);
    return i === blocks - 1 && opts.size % BLOCK ? b.subarray(0, opts.size % BLOCK) : b;
  };
  const h = createHash('sha256');
  for (let i = 0; i < blocks; i++) h.update(piece(i));
  const base = { components: opts.components, size: opts.size, sha256: h.digest('hex') };
  const manifest: ImageManifest = opts.signingKey ? { ...base, signature: sign(null, Buffer.from(signedText(base)), opts.signingKey).toString('base64') } : base;
  const header = Buffer.from(IMAGE_MAGIC + JSON.stringify(manifest) + '\n');
  const stream = () =>
    Readable.from(
      (function* () {
        yield header;
        for (let i = 0; i < blocks; i++) {
          const p = piece(i);
          if (opts.corrupt && i === 0) {
            const c = Buffer.from(p);
            c[0] = c[0]! ^ 0xff;
            yield c;
          } else yield p;
        }
      })(),
      { objectMode: false },
    );
  return { stream, length: header.length + opts.size, manifest };
}
