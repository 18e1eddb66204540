import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array, previous?: number) => number;

let table: Uint32Array | undefined;

/** CRC-32 (IEEE) by table, for Node releases before `zlib.crc32` (20.15). */
function tableCrc32(data: Uint8Array, previous = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * CRC-32 of `data`, continuing from `previous` (the CRC of the bytes before it), as ZIP files need.
 *
 * @example crc32(Buffer.from('hello')) // 0x3610a686
 */
export const crc32: Crc32 =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (data, previous = 0) => zlib.crc32(data, previous)
    : tableCrc32;

export { tableCrc32 as crc32ByTable };
