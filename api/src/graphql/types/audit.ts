import type { AuditRow } from '../../services/audit.ts';
import { builder } from '../builder.ts';
import { pageRequest, ROOT_PAGE, toConnection } from '../connections.ts';
import { edgeType, nestedConnection, rootConnection } from './shared.ts';

export const AuditEntry = builder.objectRef<AuditRow>('AuditEntry').implement({
  description: 'One entry of the audit trail.',
  fields: (t) => ({
    id: t.exposeID('id'),
    action: t.exposeString('action'),
    actor: t.exposeString('actor', { description: '`admin:<email>`, `api_key:<id>`, `agent:<id>` or `anonymous`.' }),
    agentId: t.exposeID('agentId', { nullable: true }),
    organizationId: t.exposeID('organizationId', { nullable: true }),
    ipAddress: t.exposeString('ipAddress'),
    userAgent: t.exposeString('userAgent'),
    details: t.field({ type: 'JSON', resolve: (a) => a.details ?? {} }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const AuditEntryEdge = edgeType(AuditEntry, 'AuditEntry');
export const AuditEntryConnections = { root: rootConnection(AuditEntry, 'AuditEntry', AuditEntryEdge), nested: nestedConnection(AuditEntry, 'AuditEntry', AuditEntryEdge) };

const AuditFilter = builder.inputType('AuditFilter', {
  fields: (t) => ({
    organizationId: t.id({ required: false }),
    agentId: t.id({ required: false }),
    action: t.string({ required: false, description: 'An exact action, such as `agent.created`.' }),
    since: t.field({ type: 'DateTime', required: false, description: 'Entries at or after this time.' }),
    until: t.field({ type: 'DateTime', required: false, description: 'Entries at or before this time.' }),
  }),
});

builder.queryFields((t) => ({
  auditLog: t.connection(
    {
      type: AuditEntry,
      description: 'The audit trail, newest first.',
      args: { filter: t.arg({ type: AuditFilter, required: false }) },
      resolve: async (_root, args, ctx) => {
        const f = args.filter;
        const filter = {
          organizationId: f?.organizationId == null ? undefined : String(f.organizationId),
          agentId: f?.agentId == null ? undefined : String(f.agentId),
          action: f?.action ?? undefined,
          since: f?.since ?? undefined,
          until: f?.until ?? undefined,
        };
        const rows = await ctx.services.audit.page(ctx.caller, filter, pageRequest(args, ROOT_PAGE));
        return toConnection(args, ROOT_PAGE, rows, () => ctx.services.audit.count(ctx.caller, filter));
      },
    },
    AuditEntryConnections.root,
  ),
}));
