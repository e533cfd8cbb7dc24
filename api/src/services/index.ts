import type { Config } from '../config.ts';
import type { Database } from '../db/index.ts';
import type { SecretBox } from '../lib/secrets.ts';
import { AgentService } from './agents.ts';
import { ApiKeyService } from './api-keys.ts';
import { AuditService } from './audit.ts';
import { KeyService } from './keys.ts';
import { MetricsService } from './metrics.ts';
import { OrganizationService } from './organizations.ts';
import { SessionService } from './sessions.ts';
import { TokenService } from './tokens.ts';
import { WebhookService } from './webhooks.ts';
import { sql } from 'drizzle-orm';

/** Every service, built once by the composition root and shared by REST, GraphQL and tRPC. */
export async function createServices(db: Database, config: Config, box: SecretBox) {
  const keys = new KeyService(db, box, {
    algorithm: config.jwt.algorithm,
    preferredKid: config.jwt.keyId,
    // A retired key stays published as long as the longest-lived token it may have signed.
    maxTokenLifetimeSecs: async () => {
      const [row] = await db.execute<{ max: number | null }>(sql`select max(jwt_expiry_secs)::int as max from organizations`);
      return Math.max(config.jwt.accessTokenTtl, row?.max ?? 0);
    },
  });
  await keys.init();
  return {
    db,
    box,
    config,
    keys,
    agents: new AgentService(db),
    tokens: new TokenService(db, keys, config),
    apiKeys: new ApiKeyService(db),
    organizations: new OrganizationService(db),
    audit: new AuditService(db),
    metrics: new MetricsService(db),
    sessions: new SessionService(db, config.admin),
    webhooks: new WebhookService(db, box, config),
  };
}

export type Services = Awaited<ReturnType<typeof createServices>>;
