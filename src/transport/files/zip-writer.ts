import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflateRaw } from 'node:zlib';
import { crc32 } from './crc32.ts';

/** The archive grew past its byte limit; the partial file should be removed. */
export class ZipTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`zip archive over ${maxBytes} bytes`);
    this.name = 'ZipTooLargeError';
  }
}

interface Entry {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
  time: number;
  date: number;
  mode: number;
}

/** ZIP format facts (PKWARE APPNOTE): signatures and the flags and versions used here. */
const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL = 0x06054b50;
/** Bit 3: sizes and CRC follow the data (so entries stream); bit 11: names are UTF-8. */
const FLAGS = 0x0008 | 0x0800;
const DEFLATE = 8;
const VERSION = 20;
/** "Made by" Unix, so the external attributes carry the file mode. */
const MADE_BY_UNIX = (3 << 8) | VERSION;
/** Without ZIP64 records the entry count and every offset must fit 16 and 32 bits. */
const MAX_ENTRIES = 0xffff;
const MAX_OFFSET = 0xffffffff;

/**
 * Writes a deflated ZIP archive to a file, one entry at a time, streaming each source file so memory
 * stays flat whatever the sizes. Fails with `ZipTooLargeError` as soon as the archive would pass
 * `maxBytes`.
 *
 * @example
 *   const zip = await ZipWriter.create('/tmp/docs.zip', { maxBytes: 50 * 1024 * 1024 });
 *   await zip.addFile('docs/a.md', '/src/app/docs/a.md', { mtime: new Date(), mode: 0o644 });
 *   await zip.finish();
 */
export class ZipWriter {
  readonly #handle: FileHandle;
  readonly #maxBytes: number;
  readonly #entries: Entry[] = [];
  #written = 0;

  private constructor(handle: FileHandle, maxBytes: number) {
    this.#handle = handle;
    this.#maxBytes = maxBytes;
  }

  static async create(path: string, options: { maxBytes?: number } = {}): Promise<ZipWriter> {
    const handle = await open(path, 'wx', 0o600);
    return new ZipWriter(handle, Math.min(options.maxBytes ?? MAX_OFFSET, MAX_OFFSET));
  }

  /** Bytes written so far. */
  get size(): number {
    return this.#written;
  }

  get entries(): number {
    return this.#entries.length;
  }

  /** Adds `source` (a regular file) as `name` (POSIX, relative). */
  async addFile(name: string, source: string, options: { mtime: Date; mode?: number }): Promise<void> {
    if (this.#entries.length >= MAX_ENTRIES) throw new ZipTooLargeError(this.#maxBytes);
    const entryName = Buffer.from(name, 'utf8');
    const { time, date } = dosDateTime(options.mtime);
    const entry: Entry = {
      name: entryName,
      crc: 0,
      compressed: 0,
      size: 0,
      offset: this.#written,
      time,
      date,
      mode: options.mode ?? 0o644,
    };
    const header = Buffer.alloc(30);
    header.writeUInt32LE(LOCAL_HEADER, 0);
    header.writeUInt16LE(VERSION, 4);
    header.writeUInt16LE(FLAGS, 6);
    header.writeUInt16LE(DEFLATE, 8);
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    // CRC and sizes (14–25) stay zero: the data descriptor carries them.
    header.writeUInt16LE(entryName.length, 26);
    header.writeUInt16LE(0, 28);
    await this.#write(Buffer.concat([header, entryName]));

    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        entry.crc = crc32(chunk, entry.crc);
        entry.size += chunk.length;
        done(null, chunk);
      },
    });
    // O_NOFOLLOW: a file swapped for a symlink after it was listed is refused, not followed.
    const input = (await open(source, constants.O_RDONLY | constants.O_NOFOLLOW)).createReadStream();
    await pipeline(input, counter, createDeflateRaw(), async (compressed) => {
      for await (const chunk of compressed as AsyncIterable<Buffer>) {
        entry.compressed += chunk.length;
        await this.#write(chunk);
      }
    });

    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(DATA_DESCRIPTOR, 0);
    descriptor.writeUInt32LE(entry.crc >>> 0, 4);
    descriptor.writeUInt32LE(entry.compressed, 8);
    descriptor.writeUInt32LE(entry.size, 12);
    await this.#write(descriptor);
    this.#entries.push(entry);
  }

  /** Writes the central directory and closes the file; returns the archive's size. */
  async finish(): Promise<number> {
    try {
      const start = this.#written;
      for (const entry of this.#entries) {
        const header = Buffer.alloc(46);
        header.writeUInt32LE(CENTRAL_HEADER, 0);
        header.writeUInt16LE(MADE_BY_UNIX, 4);
        header.writeUInt16LE(VERSION, 6);
        header.writeUInt16LE(FLAGS, 8);
        header.writeUInt16LE(DEFLATE, 10);
        header.writeUInt16LE(entry.time, 12);
        header.writeUInt16LE(entry.date, 14);
        header.writeUInt32LE(entry.crc >>> 0, 16);
        header.writeUInt32LE(entry.compressed, 20);
        header.writeUInt32LE(entry.size, 24);
        header.writeUInt16LE(entry.name.length, 28);
        // Extra field, comment, disk number and internal attributes: 30–37 stay zero.
        header.writeUInt32LE(((0o100000 | (entry.mode & 0o7777)) << 16) >>> 0, 38);
        header.writeUInt32LE(entry.offset, 42);
        await this.#write(Buffer.concat([header, entry.name]));
      }
      const end = Buffer.alloc(22);
      end.writeUInt32LE(END_OF_CENTRAL, 0);
      end.writeUInt16LE(this.#entries.length, 8);
      end.writeUInt16LE(this.#entries.length, 10);
      end.writeUInt32LE(this.#written - start, 12);
      end.writeUInt32LE(start, 16);
      await this.#write(end);
      return this.#written;
    } finally {
      await this.#handle.close();
    }
  }

  /** Closes the file without finishing it (the caller removes it). */
  async abort(): Promise<void> {
    await this.#handle.close().catch(() => undefined);
  }

  async #write(chunk: Buffer): Promise<void> {
    if (this.#written + chunk.length > this.#maxBytes) throw new ZipTooLargeError(this.#maxBytes);
    await this.#handle.write(chunk);
    this.#written += chunk.length;
  }
}

/** MS-DOS date and time, local time, two-second resolution, from 1980 on. */
function dosDateTime(at: Date): { time: number; date: number } {
  const year = Math.min(Math.max(at.getFullYear(), 1980), 2107);
  const time = (at.getHours() << 11) | (at.getMinutes() << 5) | Math.floor(at.getSeconds() / 2);
  const date = ((year - 1980) << 9) | ((at.getMonth() + 1) << 5) | at.getDate();
  return { time, date };
}
