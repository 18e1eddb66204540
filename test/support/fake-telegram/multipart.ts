/** One part of a multipart/form-data body: a plain field (`filename` absent) or an uploaded file. */
export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

/**
 * Splits a multipart/form-data body into its parts.
 *
 * Tolerant of the header spellings clients really send: grammY writes `content-disposition:form-data;name="x";
 * filename=report.txt` (no spaces, filename unquoted), curl writes `Content-Disposition: form-data; name="x";
 * filename="report.txt"`.
 *
 * @example
 * const parts = parseMultipart(body, boundaryOf(req.headers['content-type'])!);
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) return parts;
  for (;;) {
    pos += delimiter.length;
    // "--" right after a delimiter closes the body.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), pos);
    if (next < 0) break;
    const part = parsePart(body.subarray(pos, next));
    if (part) parts.push(part);
    pos = next + 2;
  }
  return parts;
}

/** The boundary parameter of a multipart Content-Type header, unquoted. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2])?.trim() : undefined;
}

function parsePart(raw: Buffer): MultipartPart | undefined {
  const headerEnd = raw.indexOf('\r\n\r\n');
  if (headerEnd < 0) return undefined;
  const headers = raw.subarray(0, headerEnd).toString('utf8').split('\r\n');
  const data = raw.subarray(headerEnd + 4);
  let name: string | undefined;
  let filename: string | undefined;
  let contentType: string | undefined;
  for (const line of headers) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-type') contentType = value;
    if (key !== 'content-disposition') continue;
    name = dispositionParam(value, 'name');
    filename = dispositionFilename(value);
  }
  if (name === undefined) return undefined;
  const part: MultipartPart = { name, data: Buffer.from(data) };
  if (filename !== undefined) part.filename = filename;
  if (contentType !== undefined) part.contentType = contentType;
  return part;
}

function dispositionParam(value: string, key: string): string | undefined {
  const re = new RegExp(`(?:^|;)\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i');
  const m = re.exec(value);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]?.trim();
}

function dispositionFilename(value: string): string | undefined {
  const extended = /(?:^|;)\s*filename\*=([^']*)'[^']*'([^;]*)/i.exec(value);
  if (extended?.[2] !== undefined) return decodeURIComponent(extended[2].trim());
  const quoted = /(?:^|;)\s*filename="((?:[^"\\]|\\.)*)"/i.exec(value);
  if (quoted?.[1] !== undefined) return quoted[1].replace(/\\(.)/g, '$1');
  // grammY writes the name unquoted and last, so it runs to the end of the header (it may hold ';').
  const bare = /(?:^|;)\s*filename=(.*)$/i.exec(value);
  return bare?.[1]?.trim();
}
