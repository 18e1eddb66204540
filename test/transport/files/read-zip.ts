import { inflateRawSync, crc32 as zlibCrc32 } from 'node:zlib';

/**
 * Entry names and contents of a ZIP archive, read back by parsing its central directory and
 * inflating each entry, so tests do not depend on an `unzip` binary. Throws if a size or CRC is off.
 *
 * @example readZip(bytes) // { 'docs/a.md': '# a' }
 */
export function readZip(data: Buffer): Record<string, string> {
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('no end of central directory record');
  const count = data.readUInt16LE(end + 10);
  let at = data.readUInt32LE(end + 16);
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    if (data.readUInt32LE(at) !== 0x02014b50) throw new Error(`bad central header at ${at}`);
    const crc = data.readUInt32LE(at + 16);
    const compressed = data.readUInt32LE(at + 20);
    const size = data.readUInt32LE(at + 24);
    const nameLength = data.readUInt16LE(at + 28);
    const extra = data.readUInt16LE(at + 30);
    const comment = data.readUInt16LE(at + 32);
    const offset = data.readUInt32LE(at + 42);
    const name = data.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    if (data.readUInt32LE(offset) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const start = offset + 30 + data.readUInt16LE(offset + 26) + data.readUInt16LE(offset + 28);
    const content = inflateRawSync(data.subarray(start, start + compressed));
    if (content.length !== size) throw new Error(`${name}: ${content.length} bytes, header says ${size}`);
    if (zlibCrc32(content) !== crc) throw new Error(`${name}: CRC mismatch`);
    out[name] = content.toString('utf8');
    at += 46 + nameLength + extra + comment;
  }
  return out;
}
