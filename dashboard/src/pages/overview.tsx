import { A } from '@solidjs/router';
import { createResource, onCleanup, Show } from 'solid-js';
import { ActivityFeed, When } from '../components/bits.tsx';
import { TimeChart } from '../components/chart.tsx';
import { Async, Card, PageHeader, StatCard } from '../components/ui.tsx';
import { formatNumber } from '../lib/format.ts';
import { gql } from '../lib/graphql.ts';
import { describeError, requestJson } from '../lib/http.ts';
import { nodes, OVERVIEW_QUERY, type OverviewResult } from '../lib/queries.ts';

interface Readiness {
  status: string;
  timestamp?: string;
  agents_count?: number;
}

/** Readiness checks the database too; a failure is a finding to show, not an error page. */
async function checkHealth(): Promise<{ ok: boolean; detail: string; at: string }> {
  const at = new Date().toISOString();
  try {
    const ready = await requestJson<Readiness>('/health/ready');
    return { ok: ready.status === 'ok', detail: ready.status === 'ok' ? 'API and database are answering' : ready.status, at };
  } catch (error) {
    return { ok: false, detail: describeError(error), at };
  }
}

const REFRESH_MS = 30_000;

export default function OverviewPage() {
  const [health, { refetch: recheck }] = createResource(checkHealth);
  const [overview, { refetch }] = createResource(() => gql<OverviewResult>(OVERVIEW_QUERY));
  // A wall display stays current without a reload.
  const timer = setInterval(() => {
    recheck();
    refetch();
  }, REFRESH_MS);
  onCleanup(() => clearInterval(timer));

  return (
    <>
      <PageHeader title="Dashboard" subtitle="Health, key figures and what happened recently." />
      <Card>
        <Show when={health.latest} fallback={<div class="health"><span class="dot" /> Checking health…</div>}>
          {(h) => (
            <div class="health" role="status" aria-label="Health">
              <span class={`dot ${h().ok ? 'dot-ok' : 'dot-bad'}`} />
              <div>
                <strong>{h().ok ? 'Healthy' : 'Unhealthy'}</strong> — {h().detail}
                <div class="sub">Checked <When at={h().at} /></div>
              </div>
            </div>
          )}
        </Show>
      </Card>

      <Async resource={overview} refetch={refetch} loading="Loading figures…">
        {(data) => (
          <>
            <div class="stats">
              <StatCard label="Agents" value={formatNumber(data.metrics.totalAgents)} hint={`${formatNumber(data.metrics.activeAgents)} active`} />
              <StatCard label="Active tokens" value={formatNumber(data.metrics.activeTokens)} hint="not expired or revoked" />
              <StatCard label="Tokens issued" value={formatNumber(data.metrics.tokensIssued)} hint={`${formatNumber(data.metrics.tokensRefreshed)} by refresh`} />
              <StatCard label="Revoked" value={formatNumber(data.metrics.tokensRevoked)} />
              <StatCard label="Organizations" value={formatNumber(data.organizations.totalCount)} />
              <StatCard label="Webhooks" value={formatNumber(data.webhooks.totalCount)} />
            </div>
            <div class="grid grid-2">
              <Card title="Tokens, last 24 hours" actions={<A href="/metrics" class="btn btn-small">All metrics</A>}>
                <TimeChart
                  label="Tokens issued, refreshed and revoked per hour over the last 24 hours"
                  points={data.metrics.series}
                  time={(p) => p.bucket}
                  interval="hour"
                  series={[
                    { label: 'Issued', color: '#3b5bdb', value: (p) => p.tokensIssued },
                    { label: 'Refreshed', color: '#12b886', value: (p) => p.tokensRefreshed },
                    { label: 'Revoked', color: '#e8590c', value: (p) => p.tokensRevoked },
                  ]}
                />
              </Card>
              <Card title="Recent activity">
                <ActivityFeed entries={nodes(data.auditLog)} />
              </Card>
            </div>
          </>
        )}
      </Async>
    </>
  );
}
