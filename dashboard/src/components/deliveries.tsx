import { A } from '@solidjs/router';
import { createEffect, createResource, createSignal, For, on, Show, type JSX } from 'solid-js';
import { formatDate } from '../lib/format.ts';
import { gql } from '../lib/graphql.ts';
import { createCursorPager } from '../lib/paging.ts';
import { DELIVERIES_QUERY, nodes, type DeliveriesResult, type Delivery, type DeliveryStatus } from '../lib/queries.ts';
import { When } from './bits.tsx';
import { Async, Badge, Empty, Field, Pager, type Tone } from './ui.tsx';

const STATUS_TONES: Record<DeliveryStatus, Tone> = { DELIVERED: 'ok', PENDING: 'info', RETRYING: 'warn', FAILED: 'bad', DEAD: 'bad' };
const STATUSES: DeliveryStatus[] = ['DELIVERED', 'PENDING', 'RETRYING', 'FAILED', 'DEAD'];

export function DeliveryBadge(props: { status: DeliveryStatus }) {
  return <Badge tone={STATUS_TONES[props.status]}>{props.status.toLowerCase()}</Badge>;
}

/** Where a delivery stands on its retry schedule, in words. */
function retryState(d: Delivery): JSX.Element {
  const allowed = d.webhook.maxRetries + 1;
  if (d.status === 'DELIVERED') return <>delivered {d.deliveredAt ? <When at={d.deliveredAt} /> : ''}</>;
  if (d.status === 'DEAD') return <>gave up after {d.attempts} of {allowed} attempts</>;
  if (d.nextRetryAt) return <>next attempt <When at={d.nextRetryAt} /></>;
  if (d.status === 'PENDING') return <>queued</>;
  return <>—</>;
}

/**
 * Delivery history with status, attempts and retry details; one webhook's (`webhookId`) or every
 * webhook's. `refreshKey` refetches after an action such as a test send.
 */
export function DeliveriesTable(props: { webhookId?: string; refreshKey?: number; showWebhook?: boolean; pageSize?: number }) {
  const [status, setStatus] = createSignal<DeliveryStatus | ''>('');
  const [open, setOpen] = createSignal<string>();
  const pager = createCursorPager(props.pageSize ?? 15);
  createEffect(on(status, () => pager.reset(), { defer: true }));

  const [deliveries, { refetch }] = createResource(
    () => ({ ...pager.variables(), filter: { webhookId: props.webhookId, status: status() || undefined }, key: props.refreshKey }),
    ({ key: _key, ...variables }) => gql<DeliveriesResult>(DELIVERIES_QUERY, variables),
  );

  return (
    <>
      <div class="toolbar">
        <Field label="Delivery status">
          <select value={status()} onChange={(e) => setStatus(e.currentTarget.value as DeliveryStatus | '')}>
            <option value="">All</option>
            <For each={STATUSES}>{(s) => <option value={s}>{s.toLowerCase()}</option>}</For>
          </select>
        </Field>
        <button type="button" class="btn btn-small" onClick={() => refetch()}>Refresh</button>
      </div>
      <Async resource={deliveries} refetch={refetch} loading="Loading deliveries…">
        {(data) => (
          <Show when={data.deliveries.edges.length > 0} fallback={<Empty title={status() ? `No ${status().toLowerCase()} deliveries` : 'No deliveries yet'} />}>
            <div class="table-wrap">
              <table aria-label="Deliveries">
                <thead>
                  <tr>
                    <th>Event</th>
                    <Show when={props.showWebhook}><th class="hide-phone">Webhook</th></Show>
                    <th>Status</th>
                    <th class="num hide-phone">Attempts</th>
                    <th class="hide-phone">Last response</th>
                    <th class="hide-phone">Retry</th>
                    <th class="hide-phone">Created</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  <For each={nodes(data.deliveries)}>
                    {(d) => (
                      <>
                        <tr>
                          <td class="mono">{d.event}</td>
                          <Show when={props.showWebhook}>
                            <td class="hide-phone"><A href={`/webhooks/${d.webhook.id}`}>{d.webhook.name}</A></td>
                          </Show>
                          <td><DeliveryBadge status={d.status} /></td>
                          <td class="num hide-phone">{d.attempts} / {d.webhook.maxRetries + 1}</td>
                          <td class="hide-phone">
                            {d.lastStatusCode ? <span class="mono">HTTP {d.lastStatusCode}</span> : d.lastAttemptAt ? '' : '—'}
                            <Show when={d.lastError}><span class="sub truncate" title={d.lastError}>{d.lastError}</span></Show>
                          </td>
                          <td class="hide-phone">{retryState(d)}</td>
                          <td class="hide-phone">{formatDate(d.createdAt)}</td>
                          <td class="num">
                            <button type="button" class="btn btn-small" aria-expanded={open() === d.id} onClick={() => setOpen(open() === d.id ? undefined : d.id)}>
                              {open() === d.id ? 'Hide' : 'Details'}
                            </button>
                          </td>
                        </tr>
                        <Show when={open() === d.id}>
                          <tr class="expanded">
                            <td colSpan={props.showWebhook ? 8 : 7}>
                              <dl class="details">
                                <div class="details-row"><dt>Delivery id</dt><dd class="mono">{d.id}</dd></div>
                                <div class="details-row"><dt>Attempts</dt><dd>{d.attempts} of {d.webhook.maxRetries + 1} allowed</dd></div>
                                <div class="details-row"><dt>Last attempt</dt><dd>{formatDate(d.lastAttemptAt)}{d.lastStatusCode ? ` · HTTP ${d.lastStatusCode}` : ''}</dd></div>
                                <div class="details-row"><dt>Last error</dt><dd>{d.lastError || '—'}</dd></div>
                                <div class="details-row"><dt>Next retry</dt><dd>{formatDate(d.nextRetryAt)}</dd></div>
                                <div class="details-row"><dt>Delivered</dt><dd>{formatDate(d.deliveredAt)}</dd></div>
                              </dl>
                              <pre class="json">{JSON.stringify(d.payload, null, 2)}</pre>
                            </td>
                          </tr>
                        </Show>
                      </>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
            <Pager pager={pager} connection={data.deliveries} />
          </Show>
        )}
      </Async>
    </>
  );
}
