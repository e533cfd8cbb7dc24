import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createEffect, createResource, createSignal, For, on, Show } from 'solid-js';
import { When } from '../components/bits.tsx';
import { DeliveriesTable } from '../components/deliveries.tsx';
import { Async, Card, Empty, Field, Modal, PageHeader, Pager, notify } from '../components/ui.tsx';
import { WebhookForm, WebhookHealth, webhookSecretStore } from '../components/webhook-form.tsx';
import { gql, settled } from '../lib/graphql.ts';
import { createCursorPager } from '../lib/paging.ts';
import { nodes, ORGANIZATION_OPTIONS_QUERY, WEBHOOKS_QUERY, type OrganizationOptionsResult, type WebhooksResult } from '../lib/queries.ts';

export default function WebhooksPage() {
  const [params, setParams] = useSearchParams<{ org: string; status: string }>();
  const navigate = useNavigate();
  const pager = createCursorPager(20);
  const [creating, setCreating] = createSignal(false);
  createEffect(on(() => [params.org, params.status], () => pager.reset(), { defer: true }));

  const [webhooks, { refetch }] = createResource(
    () => ({
      ...pager.variables(),
      filter: { organizationId: params.org || undefined, isActive: params.status === 'active' ? true : params.status === 'inactive' ? false : undefined },
    }),
    (variables) => gql<WebhooksResult>(WEBHOOKS_QUERY, variables),
  );
  const [orgs] = createResource(() => gql<OrganizationOptionsResult>(ORGANIZATION_OPTIONS_QUERY));

  return (
    <>
      <PageHeader
        title="Webhooks"
        subtitle="Signed event notifications, retried with exponential backoff until delivered."
        actions={<button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>New webhook</button>}
      />
      <Card>
        <div class="toolbar">
          <Field label="Organization">
            <select value={params.org ?? ''} onChange={(e) => setParams({ org: e.currentTarget.value || undefined }, { replace: true })}>
              <option value="">All</option>
              <For each={nodes(settled(orgs)?.organizations)}>{(o) => <option value={o.id}>{o.name}</option>}</For>
            </select>
          </Field>
          <Field label="Status">
            <select value={params.status ?? ''} onChange={(e) => setParams({ status: e.currentTarget.value || undefined }, { replace: true })}>
              <option value="">All</option>
              <option value="active">Active</option>
              <option value="inactive">Inactive</option>
            </select>
          </Field>
        </div>
        <Async resource={webhooks} refetch={refetch} loading="Loading webhooks…">
          {(data) => (
            <Show
              when={data.webhooks.edges.length > 0}
              fallback={
                <Empty title="No webhooks">
                  <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>Create a webhook</button>
                </Empty>
              }
            >
              <div class="table-wrap">
                <table aria-label="Webhooks">
                  <thead>
                    <tr>
                      <th>Webhook</th>
                      <th>Health</th>
                      <th class="hide-phone">Events</th>
                      <th class="hide-phone">Organization</th>
                      <th class="hide-phone">Last test</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={nodes(data.webhooks)}>
                      {(w) => (
                        <tr>
                          <td>
                            <A href={`/webhooks/${w.id}`}>{w.name}</A>
                            <span class="sub mono truncate" title={w.url}>{w.url}</span>
                          </td>
                          <td><WebhookHealth webhook={w} /></td>
                          <td class="hide-phone">{w.events.length} event{w.events.length === 1 ? '' : 's'}</td>
                          <td class="hide-phone">{w.organization ? <A href={`/organizations/${w.organization.id}`}>{w.organization.name}</A> : 'server-wide'}</td>
                          <td class="hide-phone"><When at={w.lastTestedAt} /></td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </div>
              <Pager pager={pager} connection={data.webhooks} />
            </Show>
          )}
        </Async>
      </Card>

      <Card title="Recent deliveries">
        <DeliveriesTable showWebhook pageSize={10} />
      </Card>

      <Show when={creating()}>
        <Modal title="New webhook" onClose={() => setCreating(false)} wide>
          <WebhookForm
            organizations={nodes(settled(orgs)?.organizations)}
            onCancel={() => setCreating(false)}
            onSaved={(result) => {
              setCreating(false);
              notify(`Webhook “${result.name}” created`);
              // The secret is handed to the detail page in memory only, never through the URL.
              if (result.secret) webhookSecretStore.set(result.id, result.secret);
              navigate(`/webhooks/${result.id}`);
            }}
          />
        </Modal>
      </Show>
    </>
  );
}
