import type { accessTokens } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { edgeType, nestedConnection, rootConnection } from './shared.ts';

export const TokenStatus = builder.enumType('TokenStatus', {
  values: { ACTIVE: { value: 'active' }, EXPIRED: { value: 'expired' }, REVOKED: { value: 'revoked' } } as const,
});

type AccessTokenRow = typeof accessTokens.$inferSelect;

const statusOf = (t: AccessTokenRow) => (t.revokedAt ? 'revoked' : t.expiresAt.getTime() <= Date.now() ? 'expired' : 'active');

export const AccessToken = builder.objectRef<AccessTokenRow>('AccessToken').implement({
  description: 'An issued access token (its record, never the token itself).',
  fields: (t) => ({
    id: t.exposeID('jti', { description: 'The token\'s `jti`.' }),
    agentId: t.exposeID('agentId'),
    grantType: t.exposeString('grantType'),
    issuedAt: t.expose('issuedAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    status: t.field({ type: TokenStatus, resolve: statusOf }),
  }),
});

const AccessTokenEdge = edgeType(AccessToken, 'AccessToken');
export const AccessTokenConnections = { nested: nestedConnection(AccessToken, 'AccessToken', AccessTokenEdge) };
