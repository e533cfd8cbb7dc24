import { and, desc, eq, getTableColumns, isNull } from 'drizzle-orm';
import type { Database, DbOrTx } from '../db/index.ts';
import { apiKeys, organizations, teams } from '../db/schema.ts';
import { InvalidRequest, NotFound } from '../errors.ts';
import { digest, digestEquals, isUuid, randomSecret } from '../lib/secrets.ts';
import type { CreateApiKeyInput } from '../schemas/organizations.ts';
import { assertVisible, visibleOrganizations, type Principal, type RequestContext } from './context.ts';
import { pagePerParent, type PageRequest } from './pagination.ts';
import { recordEvents } from './events.ts';

export type ApiKeyRow = Omit<typeof apiKeys.$inferSelect, 'keyHash'>;
const { keyHash: _keyHash, ...apiKeyColumns } = getTableColumns(apiKeys);
void _keyHash;

export const API_KEY_PREFIX = 'mach_';
/** How often `last_used_at` is written for a busy key: often enough to be useful, rarely enough to stay off the hot path. */
const LAST_USED_RESOLUTION_MS = 30_000;

export class ApiKeyService {
  private readonly lastTouched = new Map<string, number>();

  constructor(private readonly db: Database) {}

  async list(ctx: RequestContext, organizationId: string): Promise<ApiKeyRow[]> {
    await requireOrganization(this.db, ctx, organizationId);
    return this.db.select(apiKeyColumns).from(apiKeys).where(eq(apiKeys.organizationId, organizationId)).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
  }

  /** Creates a key; the full key exists only in this return value. */
  async create(ctx: RequestContext, organizationId: string, input: CreateApiKeyInput): Promise<{ apiKey: ApiKeyRow; key: string }> {
    const key = `${API_KEY_PREFIX}${randomSecret()}`;
    return this.db.transaction(async (tx) => {
      await requireOrganization(tx, ctx, organizationId);
      if (input.team_id) {
        const [team] = await tx.select({ org: teams.organizationId }).from(teams).where(eq(teams.id, input.team_id));
        if (!team || team.org !== organizationId) throw new InvalidRequest('team_id: team not found in this organization');
      }
      const [apiKey] = await tx
        .insert(apiKeys)
        .values({
          organizationId,
          teamId: input.team_id ?? null,
          name: input.name,
          prefix: key.slice(0, 12),
          keyHash: digest(key),
          expiresAt: input.expires_in ? new Date(Date.now() + input.expires_in * 1000) : null,
        })
        .returning(apiKeyColumns);
      await recordEvents(tx, [{ action: 'api_key.created', organizationId, ctx, details: { api_key_id: apiKey.id, name: apiKey.name, prefix: apiKey.prefix } }]);
      return { apiKey, key };
    });
  }

  /** Revokes a key at once (it stays listed, inactive, for the record). Revoking it again changes nothing. */
  async revoke(ctx: RequestContext, organizationId: string, keyId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await requireOrganization(tx, ctx, organizationId);
      if (!isUuid(keyId)) throw new NotFound('API key not found');
      const [current] = await tx
        .select({ revokedAt: apiKeys.revokedAt })
        .from(apiKeys)
        .where(and(eq(apiKeys.id, keyId), eq(apiKeys.organizationId, organizationId)))
        .for('update');
      if (!current) throw new NotFound('API key not found');
      if (current.revokedAt) return;
      const [row] = await tx
        .update(apiKeys)
        .set({ isActive: false, revokedAt: new Date() })
        .where(eq(apiKeys.id, keyId))
        .returning({ id: apiKeys.id, prefix: apiKeys.prefix });
      await recordEvents(tx, [{ action: 'api_key.revoked', organizationId, ctx, details: { api_key_id: row.id, prefix: row.prefix } }]);
    });
  }

  /** The principal of a live key, or undefined. The digest lookup is followed by a constant-time check. */
  async authenticate(presented: string, caller: { ip: string; userAgent: string } = { ip: '', userAgent: '' }): Promise<Extract<Principal, { kind: 'api_key' }> | undefined> {
    if (!presented.startsWith(API_KEY_PREFIX) || presented.length > 200) return undefined;
    const hash = digest(presented);
    const [row] = await this.db.select().from(apiKeys).where(eq(apiKeys.keyHash, hash));
    if (!row || !digestEquals(presented, row.keyHash)) return undefined;
    if (!row.isActive || row.revokedAt) return undefined;
    if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) return undefined;
    await this.touch(row.id, row.organizationId, row.lastUsedAt === null, caller);
    return { kind: 'api_key', apiKeyId: row.id, organizationId: row.organizationId, teamId: row.teamId };
  }

  /** The same page of several organizations' keys, in one statement (GraphQL views). */
  async pageByOrganizations(ctx: RequestContext, organizationIds: readonly string[], page: PageRequest) {
    return pagePerParent<ApiKeyRow>(this.db, { table: apiKeys, columns: apiKeyColumns, at: apiKeys.createdAt, id: apiKeys.id, parent: apiKeys.organizationId }, visibleOrganizations(ctx, organizationIds), page);
  }

  /** Records use: the first one as an audit event, later ones as a coarse `last_used_at`. */
  private async touch(id: string, organizationId: string, firstUse: boolean, caller: { ip: string; userAgent: string }) {
    const now = Date.now();
    if (!firstUse && now - (this.lastTouched.get(id) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastTouched.set(id, now);
    await this.db.transaction(async (tx) => {
      const first = await tx
        .update(apiKeys)
        .set({ lastUsedAt: new Date(now) })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.lastUsedAt)))
        .returning({ id: apiKeys.id });
      if (first.length) {
        await recordEvents(tx, [{
          action: 'api_key.first_used', organizationId,
          ctx: { principal: { kind: 'api_key', apiKeyId: id, organizationId, teamId: null }, ...caller },
          details: { api_key_id: id },
        }]);
      } else {
        await tx.update(apiKeys).set({ lastUsedAt: new Date(now) }).where(eq(apiKeys.id, id));
      }
    });
  }
}

/** The caller may see the organization and it exists; otherwise 404, the same for both. */
async function requireOrganization(db: DbOrTx, ctx: RequestContext, organizationId: string) {
  if (!isUuid(organizationId)) throw new NotFound('organization not found');
  assertVisible(ctx, organizationId, 'organization');
  const [org] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, organizationId));
  if (!org) throw new NotFound('organization not found');
}
