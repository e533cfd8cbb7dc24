import { and, count, desc, eq, getTableColumns, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Database, DbOrTx } from '../db/index.ts';
import { organizations, teams, webhookConfigs, webhookDeliveries } from '../db/schema.ts';
import { Forbidden, InvalidRequest, NotFound } from '../errors.ts';
import { assertDestinationAllowed, DestinationRefused, type DestinationPolicy, type Resolver } from '../lib/destination-guard.ts';
import { isUuid, randomSecret, uuid, type SecretBox } from '../lib/secrets.ts';
import { postWebhook, type SendOutcome } from '../lib/webhook-http.ts';
import { deliveryHeaders, WEBHOOK_HEADERS } from '../lib/webhook-signature.ts';
import type { CreateWebhookInput, DeliveryStatus, TestWebhookInput, UpdateWebhookInput } from '../schemas/webhooks.ts';
import { assertVisible, tenantOf, visibleOrganizations, type RequestContext } from './context.ts';
import { pageOf, pagePerParent, type PageRequest, type Paged } from './pagination.ts';
import { recordEvents, WEBHOOK_EVENTS, type WebhookEvent } from './events.ts';

const { secretEncrypted: _secret, ...publicColumns } = getTableColumns(webhookConfigs);
void _secret;
/** Every webhook column except the encrypted secret, which never leaves this service. */
const webhookColumns = publicColumns;

export type WebhookRow = Omit<typeof webhookConfigs.$inferSelect, 'secretEncrypted'>;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
type WebhookWithSecret = typeof webhookConfigs.$inferSelect;

export interface WebhookFilter {
  organizationId?: string;
  isActive?: boolean;
}

export interface DeliveryFilter {
  webhookId?: string;
  status?: DeliveryStatus;
  event?: WebhookEvent;
  since?: Date;
  until?: Date;
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface TestResult {
  success: boolean;
  status_code: number;
  error: string;
  delivery: DeliveryRow;
}

/** The graphile-worker task that delivers one webhook_deliveries row. */
export const DELIVER_WEBHOOK_TASK = 'deliver_webhook';
/** States a delivery can still leave by being attempted. */
const OPEN_STATUSES: DeliveryStatus[] = ['pending', 'retrying'];
/** The longest wait between two attempts, in backoff units (a day with the default 1 s unit). */
const MAX_BACKOFF_UNITS = 86_400;
const SECRET_PREFIX = 'whsec_';

export class WebhookService {
  private readonly policy: DestinationPolicy;

  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly config: Pick<Config, 'webhooks' | 'production'>,
    /** DNS for the destination guard (tests substitute one to play a rebinding attacker). */
    private readonly resolve?: Resolver,
  ) {
    this.policy = { production: config.production };
  }

  events(): readonly WebhookEvent[] {
    return WEBHOOK_EVENTS;
  }

  async list(ctx: RequestContext, filter: WebhookFilter = {}): Promise<WebhookRow[]> {
    const tenant = tenantOf(ctx);
    if (tenant && filter.organizationId && filter.organizationId !== tenant) return [];
    const conditions: SQL[] = [];
    const org = tenant ?? filter.organizationId;
    if (org) conditions.push(eq(webhookConfigs.organizationId, org));
    if (filter.isActive !== undefined) conditions.push(eq(webhookConfigs.isActive, filter.isActive));
    return this.db
      .select(webhookColumns)
      .from(webhookConfigs)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(webhookConfigs.createdAt), desc(webhookConfigs.id));
  }

  async get(ctx: RequestContext, id: string): Promise<WebhookRow> {
    const { secretEncrypted: _, ...webhook } = await this.load(ctx, id);
    return webhook;
  }

  /** Creates a webhook; its signing secret exists in plain text only in this return value. */
  async create(ctx: RequestContext, input: CreateWebhookInput): Promise<{ webhook: WebhookRow; secret: string }> {
    const tenant = tenantOf(ctx);
    if (tenant && input.organization_id && input.organization_id !== tenant) throw new Forbidden('an API key can only create webhooks in its own organization');
    const organizationId = tenant ?? input.organization_id ?? null;
    const url = await this.checkUrl(input.url);
    const secret = `${SECRET_PREFIX}${randomSecret()}`;
    return this.db.transaction(async (tx) => {
      await checkPlacement(tx, organizationId, input.team_id);
      const [webhook] = await tx
        .insert(webhookConfigs)
        .values({
          organizationId,
          teamId: input.team_id ?? null,
          name: input.name,
          url,
          secretEncrypted: this.box.seal(secret),
          events: input.events,
          isActive: input.is_active ?? true,
          maxRetries: input.max_retries ?? this.config.webhooks.maxRetries,
          retryBackoffBase: input.retry_backoff_base ?? 2,
        })
        .returning(webhookColumns);
      await recordEvents(tx, [{
        action: 'webhook.created', organizationId, ctx,
        payload: { webhook_id: webhook.id },
        details: { webhook_id: webhook.id, name: webhook.name, url: webhook.url, events: webhook.events },
      }]);
      return { webhook, secret };
    });
  }

  async update(ctx: RequestContext, id: string, input: UpdateWebhookInput): Promise<WebhookRow> {
    const current = await this.get(ctx, id);
    const url = input.url !== undefined ? await this.checkUrl(input.url) : undefined;
    return this.db.transaction(async (tx) => {
      if (input.team_id) await checkPlacement(tx, current.organizationId, input.team_id);
      const changes: Partial<typeof webhookConfigs.$inferInsert> = { updatedAt: new Date() };
      if (input.name !== undefined) changes.name = input.name;
      if (url !== undefined) changes.url = url;
      if (input.events !== undefined) changes.events = input.events;
      if (input.max_retries !== undefined) changes.maxRetries = input.max_retries;
      if (input.retry_backoff_base !== undefined) changes.retryBackoffBase = input.retry_backoff_base;
      if (input.team_id !== undefined) changes.teamId = input.team_id;
      if (input.is_active !== undefined) {
        changes.isActive = input.is_active;
        // Switching a webhook back on is a fresh start for its health counter.
        if (input.is_active && !current.isActive) changes.consecutiveFails = 0;
      }
      const [webhook] = await tx.update(webhookConfigs).set(changes).where(eq(webhookConfigs.id, id)).returning(webhookColumns);
      if (!webhook) throw new NotFound('webhook not found');
      if (input.is_active === false) await stopOpenDeliveries(tx, id, 'webhook was deactivated');
      await recordEvents(tx, [{
        action: 'webhook.updated', organizationId: webhook.organizationId, ctx,
        payload: { webhook_id: id },
        details: { webhook_id: id, fields: Object.keys(input) },
      }]);
      return webhook;
    });
  }

  /** Deletes the webhook with its delivery history; queued deliveries are dropped. */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    const current = await this.get(ctx, id);
    await this.db.transaction(async (tx) => {
      await tx.execute(sql`
        select graphile_worker.remove_job(id::text) from ${webhookDeliveries}
        where ${webhookDeliveries.webhookConfigId} = ${id} and ${webhookDeliveries.status} in ('pending', 'retrying')`);
      await tx.delete(webhookConfigs).where(eq(webhookConfigs.id, id));
      await recordEvents(tx, [{
        action: 'webhook.deleted', organizationId: current.organizationId, ctx,
        payload: { webhook_id: id },
        details: { webhook_id: id, name: current.name },
      }]);
    });
  }

  /**
   * Sends a `webhook.test` delivery now and answers with the receiver's verdict. The attempt is
   * recorded like any delivery (never retried) and stamps `last_tested_at`.
   */
  async test(ctx: RequestContext, id: string, input: Partial<TestWebhookInput> = {}): Promise<TestResult> {
    const webhook = await this.load(ctx, id);
    const deliveryId = uuid();
    const event = input.event ?? 'webhook.test';
    const now = new Date();
    const payload = JSON.stringify({ ...input.payload, event, webhook_id: webhook.id, test: true, timestamp: now.toISOString() });
    const { headers, outcome } = await this.attempt(webhook, deliveryId, event, payload, 1);
    const attemptedAt = new Date();
    const delivery = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(webhookDeliveries)
        .values({
          id: deliveryId,
          webhookConfigId: webhook.id,
          organizationId: webhook.organizationId,
          event,
          payload,
          headers: JSON.stringify(headers),
          status: outcome.ok ? 'delivered' : 'failed',
          attempts: 1,
          lastAttemptAt: attemptedAt,
          lastError: outcome.error,
          lastStatusCode: outcome.statusCode,
          deliveredAt: outcome.ok ? attemptedAt : null,
          createdAt: now,
        })
        .returning();
      await tx
        .update(webhookConfigs)
        .set({ lastTestedAt: attemptedAt, consecutiveFails: outcome.ok ? 0 : sql`${webhookConfigs.consecutiveFails} + 1` })
        .where(eq(webhookConfigs.id, webhook.id));
      await recordEvents(tx, [{
        action: 'webhook.test', organizationId: webhook.organizationId, ctx, deliver: false,
        payload: { webhook_id: webhook.id },
        details: { webhook_id: webhook.id, delivery_id: deliveryId, success: outcome.ok, status_code: outcome.statusCode },
      }]);
      return row;
    });
    return { success: outcome.ok, status_code: outcome.statusCode ?? 0, error: outcome.error, delivery };
  }

  /** Deliveries the caller may see, newest first, a page at a time. */
  async listDeliveries(ctx: RequestContext, filter: DeliveryFilter = {}): Promise<{ deliveries: DeliveryRow[]; nextCursor: string | null }> {
    const tenant = tenantOf(ctx);
    const d = webhookDeliveries;
    const conditions: SQL[] = [];
    if (tenant) conditions.push(eq(d.organizationId, tenant));
    if (filter.webhookId) {
      if (!isUuid(filter.webhookId)) return { deliveries: [], nextCursor: null };
      conditions.push(eq(d.webhookConfigId, filter.webhookId));
    }
    if (filter.status) conditions.push(eq(d.status, filter.status));
    if (filter.event) conditions.push(eq(d.event, filter.event));
    if (filter.since) conditions.push(gte(d.createdAt, filter.since));
    if (filter.until) conditions.push(lte(d.createdAt, filter.until));
    if (filter.cursor) {
      const { at, id } = decodeCursor(filter.cursor);
      conditions.push(sql`(${d.createdAt}, ${d.id}) < (${at}::timestamptz, ${id}::uuid)`);
    }
    const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
    const rows = await this.db
      .select({ ...getTableColumns(d), cursorAt: sql<string>`to_char(${d.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` })
      .from(d)
      .where(conditions.length ? and(...conditions) : undefined)
      .orderBy(desc(d.createdAt), desc(d.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > limit && last ? encodeCursor(last.cursorAt, last.id) : null;
    return { deliveries: page.map(({ cursorAt: _, ...row }) => row), nextCursor };
  }

  async getDelivery(ctx: RequestContext, deliveryId: string, webhookId?: string): Promise<DeliveryRow> {
    tenantOf(ctx);
    if (!isUuid(deliveryId)) throw new NotFound('delivery not found');
    const [delivery] = await this.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId));
    if (!delivery || (webhookId !== undefined && delivery.webhookConfigId !== webhookId)) throw new NotFound('delivery not found');
    assertVisible(ctx, delivery.organizationId, 'delivery');
    return delivery;
  }

  /**
   * One attempt of a queued delivery (run by the worker). Success ends it; a failure schedules
   * the next attempt after retry_backoff_base ^ attempt seconds, and the last allowed failure
   * makes it dead. The outcome, the webhook's health counter and the next job commit together.
   * Safe to run twice for one attempt: only the first outcome is recorded.
   */
  async deliver(deliveryId: string): Promise<void> {
    const [row] = await this.db
      .select({ delivery: webhookDeliveries, webhook: webhookConfigs })
      .from(webhookDeliveries)
      .innerJoin(webhookConfigs, eq(webhookConfigs.id, webhookDeliveries.webhookConfigId))
      .where(eq(webhookDeliveries.id, deliveryId));
    // Gone with its webhook (cascade), or already settled by an earlier run of this job.
    if (!row || !OPEN_STATUSES.includes(row.delivery.status as DeliveryStatus)) return;
    const { delivery, webhook } = row;
    if (!webhook.isActive) {
      await this.db
        .update(webhookDeliveries)
        .set({ status: 'failed', lastError: 'webhook is inactive', nextRetryAt: null })
        .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.attempts, delivery.attempts), inArray(webhookDeliveries.status, OPEN_STATUSES)));
      return;
    }
    const attempt = delivery.attempts + 1;
    const { headers, outcome } = await this.attempt(webhook, delivery.id, delivery.event, delivery.payload, attempt);
    const now = new Date();
    let status: DeliveryStatus;
    let nextRetryAt: Date | null = null;
    if (outcome.ok) status = 'delivered';
    else if (outcome.permanent) status = 'failed';
    else if (attempt > webhook.maxRetries) status = 'dead';
    else {
      status = 'retrying';
      nextRetryAt = new Date(now.getTime() + this.backoffMs(webhook.retryBackoffBase, attempt));
    }
    await this.db.transaction(async (tx) => {
      const updated = await tx
        .update(webhookDeliveries)
        .set({
          status,
          attempts: attempt,
          lastAttemptAt: now,
          lastError: outcome.error,
          lastStatusCode: outcome.statusCode,
          headers: JSON.stringify(headers),
          nextRetryAt,
          ...(outcome.ok ? { deliveredAt: now } : {}),
        })
        .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.attempts, delivery.attempts), inArray(webhookDeliveries.status, OPEN_STATUSES)))
        .returning({ id: webhookDeliveries.id });
      if (updated.length === 0) return;
      await tx
        .update(webhookConfigs)
        .set({ consecutiveFails: outcome.ok ? 0 : sql`${webhookConfigs.consecutiveFails} + 1` })
        .where(eq(webhookConfigs.id, webhook.id));
      // graphile-worker's own retry schedule is fixed, so the next attempt is a new job with its run_at.
      // The running job still holds the key; add_job moves the key to the new job.
      if (nextRetryAt) {
        await tx.execute(sql`select graphile_worker.add_job(${DELIVER_WEBHOOK_TASK}, json_build_object('delivery_id', ${delivery.id}::text), run_at => ${nextRetryAt.toISOString()}::timestamptz, job_key => ${delivery.id}::text)`);
      }
    });
  }

  // ---- browsing (GraphQL views): keyset pages and batches ---------------------------------

  /** A newest-first page of the webhooks the caller may see. */
  async page(ctx: RequestContext, filter: WebhookBrowseFilter, page: PageRequest): Promise<Paged<WebhookRow>[]> {
    return pageOf<WebhookRow>(this.db, { table: webhookConfigs, columns: webhookColumns, at: webhookConfigs.createdAt, id: webhookConfigs.id, where: webhookBrowseConditions(ctx, filter) }, page);
  }

  async count(ctx: RequestContext, filter: WebhookBrowseFilter): Promise<number> {
    const [{ total }] = await this.db.select({ total: count() }).from(webhookConfigs).where(and(...webhookBrowseConditions(ctx, filter)));
    return total;
  }

  /** The same page of several organizations' webhooks, in one statement. */
  async pageByOrganizations(ctx: RequestContext, organizationIds: readonly string[], filter: Omit<WebhookBrowseFilter, 'organizationId'>, page: PageRequest) {
    return pagePerParent<WebhookRow>(
      this.db,
      { table: webhookConfigs, columns: webhookColumns, at: webhookConfigs.createdAt, id: webhookConfigs.id, parent: webhookConfigs.organizationId, where: webhookBrowseConditions(ctx, filter) },
      visibleOrganizations(ctx, organizationIds),
      page,
    );
  }

  /** Webhooks by id, only those the caller may see (others are simply absent). */
  async byIds(ctx: RequestContext, ids: readonly string[]): Promise<WebhookRow[]> {
    const wanted = ids.filter(isUuid);
    if (wanted.length === 0) return [];
    return this.db.select(webhookColumns).from(webhookConfigs).where(and(inArray(webhookConfigs.id, wanted), ...webhookBrowseConditions(ctx, {})));
  }

  /** A newest-first page of the deliveries the caller may see. */
  async deliveriesPage(ctx: RequestContext, filter: DeliveryBrowseFilter, page: PageRequest): Promise<Paged<DeliveryRow>[]> {
    const d = webhookDeliveries;
    return pageOf<DeliveryRow>(this.db, { table: d, columns: getTableColumns(d), at: d.createdAt, id: d.id, where: deliveryBrowseConditions(ctx, filter) }, page);
  }

  async deliveriesCount(ctx: RequestContext, filter: DeliveryBrowseFilter): Promise<number> {
    const [{ total }] = await this.db.select({ total: count() }).from(webhookDeliveries).where(and(...deliveryBrowseConditions(ctx, filter)));
    return total;
  }

  /** The same page of several webhooks' deliveries, in one statement. */
  async deliveriesByWebhooks(ctx: RequestContext, webhookIds: readonly string[], filter: Omit<DeliveryBrowseFilter, 'webhookId'>, page: PageRequest) {
    const d = webhookDeliveries;
    return pagePerParent<DeliveryRow>(
      this.db,
      { table: d, columns: getTableColumns(d), at: d.createdAt, id: d.id, parent: d.webhookConfigId, where: deliveryBrowseConditions(ctx, filter) },
      webhookIds.filter(isUuid),
      page,
    );
  }

  /** Milliseconds before the retry that follows failed attempt number `attempt` (1-based). */
  backoffMs(base: number, attempt: number): number {
    return Math.min(base ** attempt, MAX_BACKOFF_UNITS) * this.config.webhooks.backoffUnitMs;
  }

  private async attempt(webhook: WebhookWithSecret, deliveryId: string, event: string, body: string, attempt: number): Promise<{ headers: Record<string, string>; outcome: SendOutcome }> {
    const headers = deliveryHeaders({ secret: this.box.open(webhook.secretEncrypted), deliveryId, event, body, attempt });
    const outcome = await postWebhook(webhook.url, body, headers, { timeoutMs: this.config.webhooks.timeoutMs, policy: this.policy, resolve: this.resolve });
    // The stored copy leaves the signatures out: with them, anyone reading the record could replay it.
    const { [WEBHOOK_HEADERS.signature]: _s, [WEBHOOK_HEADERS.signature256]: _s256, ...recorded } = headers;
    return { headers: recorded, outcome };
  }

  private async load(ctx: RequestContext, id: string): Promise<WebhookWithSecret> {
    tenantOf(ctx);
    if (!isUuid(id)) throw new NotFound('webhook not found');
    const [webhook] = await this.db.select().from(webhookConfigs).where(eq(webhookConfigs.id, id));
    if (!webhook) throw new NotFound('webhook not found');
    assertVisible(ctx, webhook.organizationId, 'webhook');
    return webhook;
  }

  private async checkUrl(raw: string): Promise<string> {
    try {
      return (await assertDestinationAllowed(raw, this.policy, this.resolve)).href;
    } catch (error) {
      if (error instanceof DestinationRefused) throw new InvalidRequest(`url: ${error.message}`);
      throw error;
    }
  }
}

/** The organization must exist; a team must belong to it. */
async function checkPlacement(tx: DbOrTx, organizationId: string | null, teamId: string | null | undefined) {
  if (organizationId) {
    const [org] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, organizationId));
    if (!org) throw new InvalidRequest('organization_id: organization not found');
  }
  if (!teamId) return;
  if (!organizationId) throw new InvalidRequest('team_id: a webhook needs an organization to belong to a team');
  const [team] = await tx.select({ organizationId: teams.organizationId }).from(teams).where(eq(teams.id, teamId));
  if (!team || team.organizationId !== organizationId) throw new InvalidRequest('team_id: team not found in this organization');
}

/** Settles a webhook's queued deliveries as failed and drops their jobs. */
async function stopOpenDeliveries(tx: DbOrTx, webhookId: string, reason: string) {
  await tx.execute(sql`
    with stopped as (
      update ${webhookDeliveries} set status = 'failed', last_error = ${reason}, next_retry_at = null
      where webhook_config_id = ${webhookId} and status in ('pending', 'retrying')
      returning id
    )
    select graphile_worker.remove_job(id::text) from stopped`);
}

function encodeCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(at) || !isUuid(id)) throw new InvalidRequest('cursor: not a cursor this API returned');
  return { at, id };
}

/** What an administrator browses webhooks by (GraphQL). */
export interface WebhookBrowseFilter {
  organizationId?: string;
  isActive?: boolean;
}

/** What an administrator browses deliveries by (GraphQL). */
export interface DeliveryBrowseFilter {
  organizationId?: string;
  webhookId?: string;
  status?: DeliveryStatus;
  event?: string;
  since?: Date;
  until?: Date;
}

/** The filters within the caller's tenant (an API key never sees global webhooks); a malformed id matches nothing. */
function webhookBrowseConditions(ctx: RequestContext, filter: WebhookBrowseFilter): SQL[] {
  const tenant = tenantOf(ctx);
  const w = webhookConfigs;
  const conditions: SQL[] = [];
  if (tenant) conditions.push(eq(w.organizationId, tenant));
  if (filter.organizationId) conditions.push(isUuid(filter.organizationId) ? eq(w.organizationId, filter.organizationId) : sql`false`);
  if (filter.isActive !== undefined) conditions.push(eq(w.isActive, filter.isActive));
  return conditions;
}

function deliveryBrowseConditions(ctx: RequestContext, filter: DeliveryBrowseFilter): SQL[] {
  const tenant = tenantOf(ctx);
  const d = webhookDeliveries;
  const conditions: SQL[] = [];
  if (tenant) conditions.push(eq(d.organizationId, tenant));
  if (filter.organizationId) conditions.push(isUuid(filter.organizationId) ? eq(d.organizationId, filter.organizationId) : sql`false`);
  if (filter.webhookId) conditions.push(isUuid(filter.webhookId) ? eq(d.webhookConfigId, filter.webhookId) : sql`false`);
  if (filter.status) conditions.push(eq(d.status, filter.status));
  if (filter.event) conditions.push(eq(d.event, filter.event));
  if (filter.since) conditions.push(gte(d.createdAt, filter.since));
  if (filter.until) conditions.push(lte(d.createdAt, filter.until));
  return conditions;
}
