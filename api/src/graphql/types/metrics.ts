import type { MetricsSnapshot, SeriesPoint } from '../../services/metrics.ts';
import { builder } from '../builder.ts';

const MetricsInterval = builder.enumType('MetricsInterval', {
  values: { HOUR: { value: 'hour' }, DAY: { value: 'day' } } as const,
});

const MetricsPoint = builder.objectRef<SeriesPoint>('MetricsPoint').implement({
  description: 'Activity in one hour or day (UTC).',
  fields: (t) => ({
    bucket: t.expose('bucket', { type: 'DateTime', description: 'Start of the hour or day.' }),
    tokensIssued: t.exposeInt('tokensIssued'),
    tokensRefreshed: t.exposeInt('tokensRefreshed'),
    tokensRevoked: t.exposeInt('tokensRevoked'),
    agentsCreated: t.exposeInt('agentsCreated'),
    agentsTotal: t.exposeInt('agentsTotal', { description: 'Agents that exist now and had been created by the end of this bucket.' }),
    deliveriesDelivered: t.exposeInt('deliveriesDelivered'),
    deliveriesFailed: t.exposeInt('deliveriesFailed', { description: 'Deliveries that failed for good (failed or dead).' }),
    deliveriesPending: t.exposeInt('deliveriesPending', { description: 'Deliveries still pending or retrying.' }),
  }),
});

/** The counters are read only when one of them is asked for. */
interface MetricsShape {
  snapshot: () => Promise<MetricsSnapshot>;
}

const counter = (key: Exclude<keyof MetricsSnapshot, 'requests'>) => (m: MetricsShape) => m.snapshot().then((s) => s[key]);

const HOUR_MS = 3_600_000;
const DEFAULT_SPAN_MS = { hour: 24 * HOUR_MS, day: 30 * 24 * HOUR_MS };

const Metrics = builder.objectRef<MetricsShape>('Metrics').implement({
  description: 'Server-wide counters (as GET /metrics) and activity over time for charts.',
  fields: (t) => ({
    requests: t.float({ description: 'HTTP requests served by the instance that answers.', resolve: (m) => m.snapshot().then((s) => s.requests) }),
    tokensIssued: t.float({ resolve: counter('tokens_issued') }),
    tokensRefreshed: t.float({ resolve: counter('tokens_refreshed') }),
    tokensRevoked: t.float({ resolve: counter('tokens_revoked') }),
    activeTokens: t.float({ resolve: counter('active_tokens') }),
    totalAgents: t.float({ resolve: counter('total_agents') }),
    activeAgents: t.float({ resolve: counter('active_agents') }),
    series: t.field({
      type: [MetricsPoint],
      description: 'One point per hour or day from `from` (default: 24 hours or 30 days ago) to `to` (default: now), oldest first. An API key sees only its organization\'s activity.',
      args: {
        interval: t.arg({ type: MetricsInterval, required: false, defaultValue: 'hour' }),
        from: t.arg({ type: 'DateTime', required: false }),
        to: t.arg({ type: 'DateTime', required: false }),
      },
      resolve: (_m, args, ctx) => {
        const interval = args.interval ?? 'hour';
        const to = args.to ?? new Date();
        const from = args.from ?? new Date(to.getTime() - DEFAULT_SPAN_MS[interval]);
        return ctx.services.metrics.timeSeries(ctx.caller, { interval, from, to });
      },
    }),
  }),
});

builder.queryField('metrics', (t) =>
  t.field({
    type: Metrics,
    resolve: (_root, _args, ctx) => {
      let snapshot: Promise<MetricsSnapshot> | undefined;
      return { snapshot: () => (snapshot ??= ctx.services.metrics.snapshot()) };
    },
  }),
);
