import { and, asc, desc, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../db/index.ts';

/**
 * A position in the newest-first order every list uses: (created_at desc, id desc). The
 * timestamp is kept at the database's microsecond precision, which a JS Date would round away
 * and so skip or repeat rows at page boundaries.
 */
export interface Keyset {
  at: string;
  id: string;
}

/**
 * One page in Relay terms, as @pothos/plugin-relay's `resolveCursorConnection` asks for it:
 * `limit` rows after and/or before a keyset; `inverted` reads from the oldest end (`last: n`).
 */
export interface PageRequest {
  after?: Keyset;
  before?: Keyset;
  limit: number;
  inverted?: boolean;
}

export type Paged<T> = T & { keyset: Keyset };

/** UTC, six fractional digits: the only `at` a keyset may carry. */
export const KEYSET_AT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

type Columns = Record<string, PgColumn | SQL.Aliased>;

interface PageSource {
  table: PgTable;
  columns: Columns;
  /** The timestamp and the unique id that order the list. */
  at: PgColumn;
  id: PgColumn;
  where?: (SQL | undefined)[];
}

const keysetAt = (at: PgColumn) => sql<string>`to_char(${at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function keysetConditions(at: PgColumn, id: PgColumn, page: PageRequest): SQL[] {
  const conditions: SQL[] = [];
  if (page.after) conditions.push(sql`(${at}, ${id}) < (${page.after.at}::timestamptz, ${page.after.id}::uuid)`);
  if (page.before) conditions.push(sql`(${at}, ${id}) > (${page.before.at}::timestamptz, ${page.before.id}::uuid)`);
  return conditions;
}

const order = (at: PgColumn, id: PgColumn, inverted?: boolean) => (inverted ? [asc(at), asc(id)] : [desc(at), desc(id)]);

/** One page of a list. */
export async function pageOf<Row>(db: DbOrTx, source: PageSource, page: PageRequest): Promise<Paged<Row>[]> {
  const { table, columns, at, id } = source;
  const rows = await db
    .select({ ...columns, keysetAt: keysetAt(at), keysetId: sql<string>`${id}::text` })
    .from(table)
    .where(and(...(source.where ?? []), ...keysetConditions(at, id, page)))
    .orderBy(...order(at, id, page.inverted))
    .limit(page.limit);
  return rows.map(withKeyset) as Paged<Row>[];
}

/**
 * The same page of many parents' lists (each organization's agents, each agent's audit log) in
 * ONE statement: rows ranked per parent by a window function, the first `limit` of each kept.
 * This is what lets a GraphQL query over 50 organizations cost a constant number of queries.
 */
export async function pagePerParent<Row>(
  db: DbOrTx,
  source: PageSource & { parent: PgColumn },
  parentIds: readonly string[],
  page: PageRequest,
): Promise<Map<string, Paged<Row>[]>> {
  const byParent = new Map<string, Paged<Row>[]>(parentIds.map((p) => [p, []]));
  if (parentIds.length === 0) return byParent;
  const { table, columns, at, id, parent } = source;
  const direction = page.inverted ? sql`asc` : sql`desc`;
  const ranked = db
    .select({
      ...columns,
      keysetAt: keysetAt(at).as('keyset_at'),
      keysetId: sql<string>`${id}::text`.as('keyset_id'),
      keysetParent: sql<string>`${parent}::text`.as('keyset_parent'),
      keysetRank: sql<number>`row_number() over (partition by ${parent} order by ${at} ${direction}, ${id} ${direction})`.as('keyset_rank'),
    })
    .from(table)
    .where(and(inArray(parent, [...parentIds]), ...(source.where ?? []), ...keysetConditions(at, id, page)))
    .as('ranked');
  const rows = await db.select().from(ranked).where(lte(ranked.keysetRank, page.limit)).orderBy(ranked.keysetRank);
  for (const row of rows as Record<string, unknown>[]) {
    const { keysetParent, keysetRank: _rank, ...rest } = row;
    byParent.get(keysetParent as string)?.push(withKeyset(rest) as Paged<Row>);
  }
  return byParent;
}

function withKeyset(row: Record<string, unknown>) {
  const { keysetAt: at, keysetId: id, ...rest } = row;
  return { ...rest, keyset: { at: at as string, id: id as string } };
}
