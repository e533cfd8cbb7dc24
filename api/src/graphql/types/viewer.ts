import { builder } from '../builder.ts';
import type { Principal } from '../../services/context.ts';
import { Organization } from './organization.ts';

type ViewerShape = Extract<Principal, { kind: 'admin' | 'api_key' }>;

const ViewerKind = builder.enumType('ViewerKind', {
  values: { ADMIN: { value: 'admin' }, API_KEY: { value: 'api_key' } } as const,
});

const Viewer = builder.objectRef<ViewerShape>('Viewer').implement({
  description: 'Who is asking: the server administrator, or an organization API key confined to its organization.',
  fields: (t) => ({
    kind: t.field({ type: ViewerKind, resolve: (v) => v.kind }),
    email: t.string({ nullable: true, resolve: (v) => (v.kind === 'admin' ? v.email : null) }),
    organizationId: t.id({ nullable: true, resolve: (v) => (v.kind === 'api_key' ? v.organizationId : null) }),
    organization: t.field({ type: Organization, nullable: true, resolve: (v) => (v.kind === 'api_key' ? v.organizationId : null) }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({ type: Viewer, resolve: (_root, _args, ctx) => ctx.caller.principal as ViewerShape }),
);
