import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createEffect, createResource, createSignal, For, on, Show } from 'solid-js';
import { OrganizationForm } from '../components/organization-form.tsx';
import { Async, Badge, Card, Empty, Field, Modal, PageHeader, Pager, notify } from '../components/ui.tsx';
import { formatDate, formatNumber } from '../lib/format.ts';
import { gql } from '../lib/graphql.ts';
import { createCursorPager, debounce } from '../lib/paging.ts';
import { nodes, ORGANIZATIONS_QUERY, type OrganizationsResult } from '../lib/queries.ts';

export default function OrganizationsPage() {
  const [params, setParams] = useSearchParams<{ q: string }>();
  const [searchText, setSearchText] = createSignal(params.q ?? '');
  const pager = createCursorPager(20);
  const navigate = useNavigate();
  const [creating, setCreating] = createSignal(false);
  const applySearch = debounce((q: string) => setParams({ q: q || undefined }, { replace: true }));
  createEffect(on(() => params.q, () => pager.reset(), { defer: true }));

  const [orgs, { refetch }] = createResource(
    () => ({ ...pager.variables(), filter: { search: params.q || undefined } }),
    (variables) => gql<OrganizationsResult>(ORGANIZATIONS_QUERY, variables),
  );

  return (
    <>
      <PageHeader
        title="Organizations"
        subtitle="Tenants: each has its own agents, teams, API keys and webhooks."
        actions={<button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>New organization</button>}
      />
      <Card>
        <div class="toolbar" role="search">
          <Field label="Search">
            <input
              type="search"
              placeholder="Name or slug"
              value={searchText()}
              onInput={(e) => {
                setSearchText(e.currentTarget.value);
                applySearch(e.currentTarget.value.trim());
              }}
            />
          </Field>
        </div>
        <Async resource={orgs} refetch={refetch} loading="Loading organizations…">
          {(data) => (
            <Show
              when={data.organizations.edges.length > 0}
              fallback={
                <Empty title={params.q ? 'No organization matches' : 'No organizations yet'}>
                  <Show when={!params.q}>
                    <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>Create an organization</button>
                  </Show>
                </Empty>
              }
            >
              <div class="table-wrap">
                <table aria-label="Organizations">
                  <thead>
                    <tr>
                      <th>Organization</th>
                      <th>Plan</th>
                      <th class="num">Agents</th>
                      <th class="num hide-phone">Teams</th>
                      <th class="hide-phone">Owner</th>
                      <th class="hide-phone">Created</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={nodes(data.organizations)}>
                      {(org) => (
                        <tr>
                          <td>
                            <A href={`/organizations/${org.id}`}>{org.name}</A>
                            <span class="sub mono">{org.slug}</span>
                          </td>
                          <td><Badge tone={org.plan === 'free' ? 'muted' : 'info'}>{org.plan}</Badge></td>
                          <td class="num">{formatNumber(org.agentCount)}</td>
                          <td class="num hide-phone">{formatNumber(org.teams.edges.length)}{org.teams.pageInfo.hasNextPage ? '+' : ''}</td>
                          <td class="hide-phone">{org.ownerEmail || '—'}</td>
                          <td class="hide-phone">{formatDate(org.createdAt)}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </div>
              <Pager pager={pager} connection={data.organizations} />
            </Show>
          )}
        </Async>
      </Card>
      <Show when={creating()}>
        <Modal title="New organization" onClose={() => setCreating(false)} wide>
          <OrganizationForm
            onCancel={() => setCreating(false)}
            onSaved={(id, name) => {
              notify(`Organization “${name}” created`);
              navigate(`/organizations/${id}`);
            }}
          />
        </Modal>
      </Show>
    </>
  );
}
