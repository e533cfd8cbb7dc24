import { describe, expect, it } from 'vitest';
import { randomToken, uuidv7 } from '../src/lib/ids.ts';
import { isUuid } from '../src/lib/secrets.ts';

describe('uuidv7', () => {
  it('has the RFC 9562 layout: version 7, variant 10, the millisecond timestamp first', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    const id = uuidv7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(isUuid(id)).toBe(true);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('sorts by time, and never repeats within a millisecond', () => {
    expect(uuidv7(1_000) < uuidv7(1_001)).toBe(true);
    expect(uuidv7(1_001) < uuidv7(2_000_000_000_000)).toBe(true);
    const now = Date.now();
    const ids = new Set(Array.from({ length: 50_000 }, () => uuidv7(now)));
    expect(ids.size).toBe(50_000);
  });
});

describe('randomToken', () => {
  it('is 256 random bits in base64url, never the same twice', () => {
    const tokens = Array.from({ length: 20_000 }, () => randomToken());
    expect(new Set(tokens).size).toBe(tokens.length);
    for (const t of tokens.slice(0, 100)) expect(Buffer.from(t, 'base64url')).toHaveLength(32);
    expect(tokens.every((t) => /^[A-Za-z0-9_-]{43}$/.test(t))).toBe(true);
  });
});
