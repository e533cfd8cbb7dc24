import { randomFillSync } from 'node:crypto';

/**
 * Random bytes for the token endpoint, drawn from a pool refilled from the CSPRNG 4 KiB at a
 * time (as node's own randomUUID does): one call into OpenSSL per ~100 tokens instead of several
 * per token. Every byte is handed out once.
 */
const pool = Buffer.alloc(4096);
let offset = pool.length;

function take(size: number): Buffer {
  if (offset + size > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + size);
  offset += size;
  return bytes;
}

/** A 256-bit random secret, base64url (refresh tokens). */
export function randomToken(): string {
  return take(32).toString('base64url');
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A UUID version 7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then 74 random bits. Ids made
 * close in time sort together, so each insert lands on the same few right-hand pages of a B-tree
 * index instead of a random page of it: fewer pages touched, cached and written to the WAL.
 */
export function uuidv7(now = Date.now()): string {
  if (now !== prefixMs) {
    const t = now.toString(16).padStart(12, '0');
    prefix = `${t.slice(0, 8)}-${t.slice(8, 12)}-7`;
    prefixMs = now;
  }
  const r = take(10);
  return (
    `${prefix}${(r[0] & 0x0f).toString(16)}${HEX[r[1]]}-` +
    `${HEX[(r[2] & 0x3f) | 0x80]}${HEX[r[3]]}-` +
    `${HEX[r[4]]}${HEX[r[5]]}${HEX[r[6]]}${HEX[r[7]]}${HEX[r[8]]}${HEX[r[9]]}`
  );
}
/** The timestamp part, reused within a millisecond (tokens come in bursts). */
let prefixMs = -1;
let prefix = '';
