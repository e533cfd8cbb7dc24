import { A, useSearchParams } from '@solidjs/router';
import { createEffect, createResource, createSignal, For, on, Show } from 'solid-js';
import { AgentForm } from '../components/agent-form.tsx';
import { ActiveBadge, Async, Card, Empty, Field, Modal, PageHeader, Pager, SecretOnce, notify } from '../components/ui.tsx';
import { Scopes } from '../components/bits.tsx';
import { formatDate, formatNumber, timeAgo } from '../lib/format.ts';
import { gql, settled } from '../lib/graphql.ts';
import { createCursorPager, debounce } from '../lib/paging.ts';
import { AGENTS_QUERY, nodes, ORGANIZATION_OPTIONS_QUERY, type AgentsResult, type OrganizationOptionsResult } from '../lib/queries.ts';

export interface CreatedCredentials {
  name: string;
  clientId: string;
  clientSecret: string;
}

export default function AgentsPage() {
  const [params, setParams] = useSearchParams<{ q: string; status: string; org: string }>();
  const [searchText, setSearchText] = createSignal(params.q ?? '');
  const pager = createCursorPager(20);
  const [creating, setCreating] = createSignal(false);
  const [created, setCreated] = createSignal<CreatedCredentials>();

  const applySearch = debounce((q: string) => setParams({ q: q || undefined }, { replace: true }));
  // A new filter starts from the first page.
  createEffect(on(() => [params.q, params.status, params.org], () => pager.reset(), { defer: true }));

  const filter = () => ({
    search: params.q || undefined,
    isActive: params.status === 'active' ? true : params.status === 'inactive' ? false : undefined,
    organizationId: params.org || undefined,
  });
  const [agents, { refetch }] = createResource(
    () => ({ ...pager.variables(), filter: filter() }),
    (variables) => gql<AgentsResult>(AGENTS_QUERY, variables),
  );
  const [orgs] = createResource(() => gql<OrganizationOptionsResult>(ORGANIZATION_OPTIONS_QUERY));

  const filtered = () => Boolean(params.q || params.status || params.org);

  return (
    <>
      <PageHeader
        title="Agents"
        subtitle="OAuth clients that trade their credentials for short-lived signed tokens."
        actions={<button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>New agent</button>}
      />

      <Show when={created()}>
        {(c) => (
          <SecretOnce
            title={`Agent “${c().name}” created`}
            values={[
              { label: 'client_id', value: c().clientId },
              { label: 'client_secret', value: c().clientSecret, secret: true },
            ]}
            onDismiss={() => setCreated(undefined)}
          />
        )}
      </Show>

      <Card>
        <div class="toolbar" role="search">
          <Field label="Search">
            <input
              type="search"
              placeholder="Name or client_id"
              value={searchText()}
              onInput={(e) => {
                setSearchText(e.currentTarget.value);
                applySearch(e.currentTarget.value.trim());
              }}
            />
          </Field>
          <Field label="Status">
            <select value={params.status ?? ''} onChange={(e) => setParams({ status: e.currentTarget.value || undefined }, { replace: true })}>
              <option value="">All</option>
              <option value="active">Active</option>
              <option value="inactive">Inactive</option>
            </select>
          </Field>
          <Field label="Organization">
            <select value={params.org ?? ''} onChange={(e) => setParams({ org: e.currentTarget.value || undefined }, { replace: true })}>
              <option value="">All organizations</option>
              <For each={nodes(settled(orgs)?.organizations)}>{(o) => <option value={o.id}>{o.name}</option>}</For>
            </select>
          </Field>
        </div>

        <Async resource={agents} refetch={refetch} loading="Loading agents…">
          {(data) => (
            <Show
              when={data.agents.edges.length > 0}
              fallback={
                <Empty title={filtered() ? 'No agent matches these filters' : 'No agents yet'}>
                  <Show when={!filtered()} fallback={<button type="button" class="btn" onClick={() => { setSearchText(''); setParams({ q: undefined, status: undefined, org: undefined }); }}>Clear filters</button>}>
                    <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>Create the first agent</button>
                  </Show>
                </Empty>
              }
            >
              <div class="table-wrap">
                <table aria-label="Agents">
                  <thead>
                    <tr>
                      <th>Agent</th>
                      <th class="hide-phone">Organization</th>
                      <th class="hide-phone">Scopes</th>
                      <th>Status</th>
                      <th class="num hide-phone">Tokens</th>
                      <th class="hide-phone">Last activity</th>
                      <th class="hide-phone">Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={nodes(data.agents)}>
                      {(agent) => (
                        <tr>
                          <td>
                            <A href={`/agents/${agent.id}`}>{agent.name}</A>
                            <span class="sub mono">{agent.clientId}</span>
                          </td>
                          <td class="hide-phone">
                            <Show when={agent.organization} fallback={<span class="sub">—</span>}>
                              {(o) => <A href={`/organizations/${o().id}`}>{o().name}</A>}
                            </Show>
                            <Show when={agent.team}>{(t) => <span class="sub">{t().name}</span>}</Show>
                          </td>
                          <td class="hide-phone"><Scopes scopes={agent.scopes} /></td>
                          <td><ActiveBadge active={agent.isActive} /></td>
                          <td class="num hide-phone">{formatNumber(agent.usage.tokenCount)}</td>
                          <td class="hide-phone" title={formatDate(agent.usage.lastActivityAt)}>{timeAgo(agent.usage.lastActivityAt)}</td>
                          <td class="hide-phone">{formatDate(agent.createdAt)}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </div>
              <Pager pager={pager} connection={data.agents} />
            </Show>
          )}
        </Async>
      </Card>

      <Show when={creating()}>
        <Modal title="New agent" onClose={() => setCreating(false)}>
          <AgentForm
            organizations={nodes(settled(orgs)?.organizations)}
            defaultOrganizationId={params.org}
            onCancel={() => setCreating(false)}
            onCreated={(result) => {
              setCreating(false);
              setCreated(result);
              notify(`Agent “${result.name}” created`);
              refetch();
            }}
          />
        </Modal>
      </Show>
    </>
  );
}
