import { IntrospectRequest, RevokeRequest, TokenRequest } from '../../schemas/oauth.ts';
import { signingKeyJson } from '../../wire.ts';
import { adminProcedure, globalAdminProcedure, router } from '../trpc.ts';

/** The client_credentials grant's parameters (RFC 6749 §4.4), as /oauth/token validates them. */
const IssueTokenInput = TokenRequest.pick({ client_id: true, client_secret: true, scope: true }).required({ client_id: true, client_secret: true });

/** Signing keys (the twins of /api/admin/keys in http/rest/system.ts). */
const signingKeysRouter = router({
  list: globalAdminProcedure.query(({ ctx }) => ({ keys: ctx.services.keys.listKeys().map(signingKeyJson) })),

  /** A new signer; the old key stays in JWKS while tokens it signed may still be alive. */
  rotate: globalAdminProcedure.mutation(async ({ ctx }) => {
    const key = await ctx.services.keys.rotate({ ctx: ctx.request });
    return { kid: key.kid, alg: key.alg };
  }),
});

/** The dashboard's token tools: the twins of /oauth/token, /oauth/introspect and /oauth/revoke. */
export const tokensRouter = router({
  /** A client_credentials grant for an agent whose secret the administrator holds. */
  issue: adminProcedure.input(IssueTokenInput).mutation(({ ctx, input }) =>
    ctx.services.tokens.clientCredentials(ctx.request, { clientId: input.client_id, clientSecret: input.client_secret, scope: input.scope })),

  // Mutations although they read: the token must travel in a body, never in a URL that gets logged.
  introspect: adminProcedure.input(IntrospectRequest).mutation(({ ctx, input }) =>
    ctx.services.tokens.introspect(ctx.request, input.token, input.token_type_hint)),

  revoke: adminProcedure.input(RevokeRequest).mutation(async ({ ctx, input }) => {
    await ctx.services.tokens.revoke(ctx.request, input.token, input.token_type_hint);
    return { status: 'revoked' as const };
  }),

  signingKeys: signingKeysRouter,
});
