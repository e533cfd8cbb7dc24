import { sql } from 'drizzle-orm';
import {
  bigint, boolean, customType, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';

/** SHA-256 digests of secrets (client secrets, refresh tokens, API keys, sessions). */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const createdAt = () => ts('created_at').notNull().defaultNow();

export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  slug: text('slug').notNull().unique(),
  ownerEmail: text('owner_email').notNull().default(''),
  jwtIssuer: text('jwt_issuer').notNull().default(''),
  jwtExpirySecs: integer('jwt_expiry_secs').notNull().default(0),
  allowedOrigins: text('allowed_origins').notNull().default(''),
  plan: text('plan').notNull().default('free'),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const teams = pgTable('teams', {
  id: uuid('id').primaryKey().defaultRandom(),
  organizationId: uuid('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [index('teams_org_idx').on(t.organizationId, t.createdAt)]);

export const agents = pgTable('agents', {
  id: uuid('id').primaryKey().defaultRandom(),
  organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
  teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
  name: text('name').notNull(),
  clientId: uuid('client_id').notNull().unique(),
  clientSecretHash: bytea('client_secret_hash').notNull(),
  scopes: text('scopes').array().notNull().default(sql`'{}'::text[]`),
  publicKey: text('public_key'),
  isActive: boolean('is_active').notNull().default(true),
  /** Who deactivated it: 'self' may reactivate itself, 'admin' (an administrator or API key) may not. */
  deactivatedBy: text('deactivated_by'),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  expiresAt: ts('expires_at'),
  tokenCount: bigint('token_count', { mode: 'number' }).notNull().default(0),
  refreshCount: bigint('refresh_count', { mode: 'number' }).notNull().default(0),
  lastActivityAt: ts('last_activity_at'),
  lastTokenIssuedAt: ts('last_token_issued_at'),
}, (t) => [
  index('agents_org_idx').on(t.organizationId, t.createdAt),
  index('agents_created_idx').on(t.createdAt, t.id),
]);

export const agentRotations = pgTable('agent_rotations', {
  id: uuid('id').primaryKey().defaultRandom(),
  agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
  rotatedAt: ts('rotated_at').notNull().defaultNow(),
  rotatedByIp: text('rotated_by_ip').notNull().default(''),
}, (t) => [index('agent_rotations_agent_idx').on(t.agentId, t.rotatedAt)]);

/** JWT signing keys. Private halves are encrypted with the master key. */
export const signingKeys = pgTable('signing_keys', {
  kid: text('kid').primaryKey(),
  algorithm: text('algorithm').notNull(),
  privateKeyEncrypted: text('private_key_encrypted').notNull(),
  publicJwk: jsonb('public_jwk').notNull().$type<Record<string, unknown>>(),
  createdAt: createdAt(),
  /** Set when a newer key takes over signing; the key stays in JWKS until `publishedUntil`. */
  retiredAt: ts('retired_at'),
  publishedUntil: ts('published_until'),
});

/** One row per issued access token: revocation, usage and metrics read from here. */
export const accessTokens = pgTable('access_tokens', {
  jti: uuid('jti').primaryKey(),
  agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
  organizationId: uuid('organization_id'),
  grantType: text('grant_type').notNull(),
  issuedAt: ts('issued_at').notNull(),
  expiresAt: ts('expires_at').notNull(),
  revokedAt: ts('revoked_at'),
}, (t) => [
  index('access_tokens_agent_idx').on(t.agentId),
  index('access_tokens_issued_idx').on(t.issuedAt),
  index('access_tokens_expires_idx').on(t.expiresAt),
]);

export const refreshTokens = pgTable('refresh_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  tokenHash: bytea('token_hash').notNull(),
  agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
  /** All refresh tokens descending from one client_credentials grant; a replay revokes the family. */
  familyId: uuid('family_id').notNull(),
  accessJti: uuid('access_jti').notNull(),
  scopes: text('scopes').array().notNull(),
  issuedAt: ts('issued_at').notNull(),
  expiresAt: ts('expires_at').notNull(),
  usedAt: ts('used_at'),
  revokedAt: ts('revoked_at'),
}, (t) => [
  uniqueIndex('refresh_tokens_hash_idx').on(t.tokenHash),
  index('refresh_tokens_family_idx').on(t.familyId),
  index('refresh_tokens_agent_idx').on(t.agentId),
]);

export const auditLogs = pgTable('audit_logs', {
  id: uuid('id').primaryKey().defaultRandom(),
  // No foreign keys: the trail of a deleted agent or organization must outlive it.
  agentId: uuid('agent_id'),
  organizationId: uuid('organization_id'),
  action: text('action').notNull(),
  actor: text('actor').notNull().default(''),
  ipAddress: text('ip_address').notNull().default(''),
  userAgent: text('user_agent').notNull().default(''),
  details: jsonb('details').$type<Record<string, unknown>>(),
  createdAt: createdAt(),
}, (t) => [
  index('audit_logs_agent_idx').on(t.agentId, t.createdAt),
  index('audit_logs_org_idx').on(t.organizationId, t.createdAt),
  index('audit_logs_created_idx').on(t.createdAt, t.id),
]);

export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  organizationId: uuid('organization_id').notNull().references(() => organizations.id, { onDelete: 'cascade' }),
  teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
  name: text('name').notNull(),
  prefix: text('prefix').notNull(),
  keyHash: bytea('key_hash').notNull(),
  lastUsedAt: ts('last_used_at'),
  expiresAt: ts('expires_at'),
  isActive: boolean('is_active').notNull().default(true),
  createdAt: createdAt(),
  revokedAt: ts('revoked_at'),
}, (t) => [
  uniqueIndex('api_keys_hash_idx').on(t.keyHash),
  index('api_keys_org_idx').on(t.organizationId, t.createdAt),
]);

export const webhookConfigs = pgTable('webhook_configs', {
  id: uuid('id').primaryKey().defaultRandom(),
  organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
  teamId: uuid('team_id').references(() => teams.id, { onDelete: 'set null' }),
  name: text('name').notNull(),
  url: text('url').notNull(),
  secretEncrypted: text('secret_encrypted').notNull(),
  events: text('events').array().notNull(),
  isActive: boolean('is_active').notNull().default(true),
  maxRetries: integer('max_retries').notNull().default(10),
  retryBackoffBase: integer('retry_backoff_base').notNull().default(2),
  createdAt: createdAt(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  lastTestedAt: ts('last_tested_at'),
  consecutiveFails: integer('consecutive_fails').notNull().default(0),
}, (t) => [index('webhook_configs_org_idx').on(t.organizationId, t.createdAt)]);

export const webhookDeliveries = pgTable('webhook_deliveries', {
  id: uuid('id').primaryKey().defaultRandom(),
  webhookConfigId: uuid('webhook_config_id').notNull().references(() => webhookConfigs.id, { onDelete: 'cascade' }),
  organizationId: uuid('organization_id'),
  event: text('event').notNull(),
  payload: text('payload').notNull(),
  headers: text('headers').notNull().default(''),
  status: text('status').notNull().default('pending'),
  attempts: integer('attempts').notNull().default(0),
  lastAttemptAt: ts('last_attempt_at'),
  lastError: text('last_error').notNull().default(''),
  lastStatusCode: integer('last_status_code'),
  nextRetryAt: ts('next_retry_at'),
  deliveredAt: ts('delivered_at'),
  createdAt: createdAt(),
}, (t) => [
  index('webhook_deliveries_config_idx').on(t.webhookConfigId, t.createdAt),
  index('webhook_deliveries_status_idx').on(t.status, t.createdAt),
  index('webhook_deliveries_created_idx').on(t.createdAt, t.id),
]);

/** Dashboard sessions: the cookie holds a random token, the table its digest. */
export const adminSessions = pgTable('admin_sessions', {
  tokenHash: bytea('token_hash').primaryKey(),
  csrfToken: text('csrf_token').notNull(),
  email: text('email').notNull(),
  createdAt: createdAt(),
  expiresAt: ts('expires_at').notNull(),
});

/**
 * Monotonic counters for /metrics, bumped in the same transaction as the rows they count, so
 * they survive restarts, stay exact across instances and need no count(*) over token tables.
 */
export const metricCounters = pgTable('metric_counters', {
  name: text('name').primaryKey(),
  value: bigint('value', { mode: 'number' }).notNull().default(0),
});
