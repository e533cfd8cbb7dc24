import { builder } from '../builder.ts';
import type { ApiKeyRow } from '../../services/api-keys.ts';
import { Organization } from './organization.ts';
import { edgeType, nestedConnection, rootConnection } from './shared.ts';
import { Team } from './team.ts';

export const ApiKey = builder.objectRef<ApiKeyRow>('ApiKey');

const ApiKeyEdge = edgeType(ApiKey, 'ApiKey');
export const ApiKeyConnections = { nested: nestedConnection(ApiKey, 'ApiKey', ApiKeyEdge) };

ApiKey.implement({
  description: 'An organization API key. Only its prefix is ever shown again after creation.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    prefix: t.exposeString('prefix'),
    organizationId: t.exposeID('organizationId'),
    organization: t.field({ type: Organization, resolve: (key) => key.organizationId }),
    teamId: t.exposeID('teamId', { nullable: true }),
    team: t.field({ type: Team, nullable: true, resolve: (key) => key.teamId }),
    isActive: t.boolean({ resolve: (key) => key.isActive && !key.revokedAt }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});
