import { useSearchParams } from '@solidjs/router';
import { createResource, For } from 'solid-js';
import { TimeChart } from '../components/chart.tsx';
import { Async, Card, PageHeader, StatCard } from '../components/ui.tsx';
import { formatNumber } from '../lib/format.ts';
import { gql } from '../lib/graphql.ts';
import { METRICS_QUERY, type MetricsResult } from '../lib/queries.ts';

const RANGES = {
  '24h': { label: 'Last 24 hours', interval: 'hour', hours: 24 },
  '7d': { label: 'Last 7 days', interval: 'hour', hours: 7 * 24 },
  '30d': { label: 'Last 30 days', interval: 'day', hours: 30 * 24 },
  '90d': { label: 'Last 90 days', interval: 'day', hours: 90 * 24 },
} as const;
type RangeKey = keyof typeof RANGES;

const COLORS = { issued: '#3b5bdb', refreshed: '#12b886', revoked: '#e8590c', agents: '#7048e8', created: '#1c7ed6', delivered: '#2f9e44', failed: '#e03131', pending: '#f59f00' };

export default function MetricsPage() {
  const [params, setParams] = useSearchParams<{ range: string }>();
  const range = () => RANGES[(params.range as RangeKey) in RANGES ? (params.range as RangeKey) : '24h'];

  const [metrics, { refetch }] = createResource(
    () => range(),
    (r) => {
      const to = new Date();
      const from = new Date(to.getTime() - r.hours * 3_600_000);
      return gql<MetricsResult>(METRICS_QUERY, { interval: r.interval.toUpperCase(), from: from.toISOString(), to: to.toISOString() });
    },
  );

  return (
    <>
      <PageHeader
        title="Metrics"
        subtitle="Token issuance, refreshes, revocations, agents and webhook deliveries over time (UTC buckets)."
        actions={
          <label class="field">
            <span class="field-label">Period</span>
            <select value={params.range && params.range in RANGES ? params.range : '24h'} onChange={(e) => setParams({ range: e.currentTarget.value }, { replace: true })} aria-label="Period">
              <For each={Object.entries(RANGES)}>{([key, r]) => <option value={key}>{r.label}</option>}</For>
            </select>
          </label>
        }
      />
      <Async resource={metrics} refetch={refetch} loading="Loading metrics…">
        {(data) => {
          const m = () => data.metrics;
          const interval = () => range().interval;
          return (
            <>
              <div class="stats">
                <StatCard label="Tokens issued" value={formatNumber(m().tokensIssued)} hint="all time" />
                <StatCard label="Refreshes" value={formatNumber(m().tokensRefreshed)} hint="all time" />
                <StatCard label="Revocations" value={formatNumber(m().tokensRevoked)} hint="all time" />
                <StatCard label="Active tokens" value={formatNumber(m().activeTokens)} hint="now" />
                <StatCard label="Agents" value={formatNumber(m().totalAgents)} hint={`${formatNumber(m().activeAgents)} active`} />
                <StatCard label="Requests" value={formatNumber(m().requests)} hint="served by this instance" />
              </div>
              <div class="grid grid-2">
                <Card title="Token issuance">
                  <TimeChart
                    label="Access tokens issued and refreshed over time"
                    points={m().series}
                    time={(p) => p.bucket}
                    interval={interval()}
                    series={[
                      { label: 'Issued', color: COLORS.issued, value: (p) => p.tokensIssued },
                      { label: 'Of which refreshes', color: COLORS.refreshed, value: (p) => p.tokensRefreshed },
                    ]}
                  />
                </Card>
                <Card title="Revocations">
                  <TimeChart
                    label="Access tokens revoked over time"
                    points={m().series}
                    time={(p) => p.bucket}
                    interval={interval()}
                    series={[{ label: 'Revoked', color: COLORS.revoked, value: (p) => p.tokensRevoked }]}
                  />
                </Card>
                <Card title="Agents">
                  <TimeChart
                    label="Agents over time"
                    points={m().series}
                    time={(p) => p.bucket}
                    interval={interval()}
                    series={[
                      { label: 'Agents', color: COLORS.agents, value: (p) => p.agentsTotal, summary: 'last' },
                      { label: 'Created', color: COLORS.created, value: (p) => p.agentsCreated },
                    ]}
                  />
                </Card>
                <Card title="Webhook delivery outcomes">
                  <TimeChart
                    label="Webhook deliveries by outcome over time"
                    kind="bar"
                    points={m().series}
                    time={(p) => p.bucket}
                    interval={interval()}
                    series={[
                      { label: 'Delivered', color: COLORS.delivered, value: (p) => p.deliveriesDelivered },
                      { label: 'Failed or dead', color: COLORS.failed, value: (p) => p.deliveriesFailed },
                      { label: 'Pending or retrying', color: COLORS.pending, value: (p) => p.deliveriesPending },
                    ]}
                  />
                </Card>
              </div>
            </>
          );
        }}
      </Async>
    </>
  );
}
