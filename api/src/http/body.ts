import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { InvalidRequest, PayloadTooLarge, UnsupportedMediaType, invalidRequestFromZod } from '../errors.ts';

export type Params = Record<string, unknown>;

/**
 * Reads a JSON or form body (RFC 6749 endpoints accept both) into a plain object. An empty body
 * is `{}`; anything else that is not an object of the two media types is a 4xx.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Params> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) throw new PayloadTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new PayloadTooLarge(limit);
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (raw.trim() === '') return {};
  // Sniffing is for clients that send no type at all; a type we cannot read is not "none".
  if (type === '' && req.headers['content-type'] !== undefined) throw new UnsupportedMediaType();
  if (type === 'application/json' || type.endsWith('+json') || (type === '' && /^\s*[{[]/.test(raw))) {
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      throw new InvalidRequest('request body is not valid JSON');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidRequest('request body must be a JSON object');
    return value as Params;
  }
  if (type === 'application/x-www-form-urlencoded' || type === '') return parseForm(raw);
  throw new UnsupportedMediaType();
}

/** RFC 6749 §3.1: parameters sent without a value are omitted; none may repeat. */
function parseForm(raw: string): Params {
  const out: Params = Object.create(null);
  for (const [key, value] of new URLSearchParams(raw)) {
    if (key in out) throw new InvalidRequest(`parameter ${key} is repeated`);
    if (value !== '') out[key] = value;
  }
  return { ...out };
}

/** Validates with a zod schema; the first problem becomes an `invalid_request` description. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidRequestFromZod(result.error);
}
