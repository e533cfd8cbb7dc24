import { parseCursorConnectionArgs, resolveCursorConnection } from '@pothos/plugin-relay';
import { InvalidRequest } from '../errors.ts';
import { isUuid } from '../lib/secrets.ts';
import { KEYSET_AT, type Keyset, type PageRequest } from '../services/pagination.ts';

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export interface PageSizes {
  defaultSize: number;
  maxSize: number;
}

/** Top-level lists. */
export const ROOT_PAGE: PageSizes = { defaultSize: 20, maxSize: 100 };
/**
 * Lists under each of many parents: smaller, since their sizes multiply (the depth limit allows
 * three levels of lists, so at most 100 × 50 × 50 nodes).
 */
export const NESTED_PAGE: PageSizes = { defaultSize: 10, maxSize: 50 };

/** Cursors are opaque to clients: a keyset (timestamp at microsecond precision, id), base64url. */
export const encodeCursor = (keyset: Keyset) => Buffer.from(`${keyset.at}|${keyset.id}`).toString('base64url');

export function decodeCursor(cursor: string): Keyset {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !KEYSET_AT.test(at) || !isUuid(id)) throw new InvalidRequest('cursor: not a cursor this API returned');
  return { at, id };
}

/** Relay arguments → the service's page request (validated: sizes non-negative, cursors ours). */
export function pageRequest(args: ConnectionArgs, sizes: PageSizes): PageRequest {
  let parsed: ReturnType<typeof parseCursorConnectionArgs>;
  try {
    parsed = parseCursorConnectionArgs({ args, ...sizes });
  } catch (error) {
    throw new InvalidRequest((error as Error).message);
  }
  return {
    after: parsed.after ? decodeCursor(parsed.after) : undefined,
    before: parsed.before ? decodeCursor(parsed.before) : undefined,
    limit: parsed.limit,
    inverted: parsed.inverted,
  };
}

/** A connection from rows a service already fetched with `pageRequest(args, sizes)`. */
export function toConnection<T extends { keyset: Keyset }>(args: ConnectionArgs, sizes: PageSizes, rows: T[], totalCount?: () => Promise<number>) {
  return resolveCursorConnection({ args, ...sizes, toCursor: (row: T) => encodeCursor(row.keyset) }, () => rows).then((connection) => ({ ...connection, totalCount }));
}

/** A free-text filter: at most 200 characters, as on REST; blank means none. */
export function searchText(value: string | null | undefined): string | undefined {
  if (value == null || value.trim() === '') return undefined;
  if (value.length > 200) throw new InvalidRequest('search: at most 200 characters');
  return value;
}
