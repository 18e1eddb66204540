import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest, ERR } from './api-error.ts';
import { boundaryOf, parseMultipart } from './multipart.ts';

/** A file sent in a multipart request, kept byte for byte. */
export interface UploadedFile {
  filename: string;
  contentType: string | undefined;
  bytes: Buffer;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && Buffer.isBuffer((value as UploadedFile).bytes);
}

/** Thrown when a body is bigger than the front proxy accepts; answered with an HTML 413 page, as nginx does. */
export class EntityTooLarge extends Error {
  constructor(readonly size: number) {
    super(`request entity too large (${size} bytes)`);
  }
}

/**
 * Reads the parameters of a Bot API request from its query string and body (JSON, urlencoded or multipart),
 * the three encodings the real server accepts. Body values win over query values. Multipart file parts become
 * {@link UploadedFile}s; a field holding `attach://<name>` is resolved to the part named `<name>`.
 *
 * @example
 * const params = await readParams(req, url, 50 * 1024 * 1024);
 */
export async function readParams(
  req: IncomingMessage,
  url: URL,
  maxBodyBytes: number,
): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const body = await readBody(req, maxBodyBytes);
  if (body.length === 0) return params;
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest(ERR.badJson);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest(ERR.badJson);
    return { ...params, ...(parsed as Record<string, unknown>) };
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    return { ...params, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) };
  }
  if (contentType.startsWith('multipart/form-data')) {
    const boundary = boundaryOf(req.headers['content-type']);
    if (!boundary) throw new ApiError(400, 'Bad Request: multipart boundary is missing');
    return { ...params, ...fromMultipart(body, boundary) };
  }
  return params;
}

function fromMultipart(body: Buffer, boundary: string): Record<string, unknown> {
  const parts = parseMultipart(body, boundary);
  const files = new Map<string, UploadedFile>();
  const fields: Record<string, unknown> = {};
  for (const part of parts) {
    if (part.filename === undefined) {
      fields[part.name] = part.data.toString('utf8');
      continue;
    }
    const file: UploadedFile = { filename: part.filename, contentType: part.contentType, bytes: part.data };
    files.set(part.name, file);
    fields[part.name] = file;
  }
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value !== 'string' || !value.startsWith('attach://')) continue;
    const file = files.get(value.slice('attach://'.length));
    if (file) fields[key] = file;
  }
  return fields;
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Keep draining past the limit (so the client sees our 413, not a reset) but stop storing.
    if (size <= maxBytes) chunks.push(chunk as Buffer);
  }
  if (size > maxBytes || (Number.isFinite(declared) && declared > maxBytes)) throw new EntityTooLarge(size);
  return Buffer.concat(chunks);
}
