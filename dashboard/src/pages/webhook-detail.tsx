import { A, useNavigate, useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { Scopes, When } from '../components/bits.tsx';
import { DeliveriesTable } from '../components/deliveries.tsx';
import { Async, Badge, Card, ConfirmDialog, Details, ErrorBox, Field, Modal, PageHeader, SecretOnce, notify } from '../components/ui.tsx';
import { retrySchedule, WebhookForm, WebhookHealth, webhookSecretStore } from '../components/webhook-form.tsx';
import { formatDate } from '../lib/format.ts';
import { gql, settled } from '../lib/graphql.ts';
import { nodes, ORGANIZATION_OPTIONS_QUERY, WEBHOOK_QUERY, type OrganizationOptionsResult, type WebhookResult } from '../lib/queries.ts';
import { act, trpc } from '../lib/trpc.ts';

type TestResult = Awaited<ReturnType<typeof trpc.webhooks.test.mutate>>;

export default function WebhookDetailPage() {
  const params = useParams<{ id: string }>();
  const navigate = useNavigate();
  const [webhook, { refetch }] = createResource(() => params.id, (id) => gql<WebhookResult>(WEBHOOK_QUERY, { id }));
  const [orgs] = createResource(() => gql<OrganizationOptionsResult>(ORGANIZATION_OPTIONS_QUERY));
  const [secret, setSecret] = createSignal(webhookSecretStore.get(params.id));
  webhookSecretStore.delete(params.id);
  const [dialog, setDialog] = createSignal<'edit' | 'delete' | 'test' | 'toggle'>();
  const [deliveriesKey, setDeliveriesKey] = createSignal(0);
  const [testResult, setTestResult] = createSignal<TestResult>();

  return (
    <Async resource={webhook} refetch={refetch} loading="Loading webhook…">
      {(data) => {
        const w = () => data.webhook;
        return (
          <>
            <div class="breadcrumb"><A href="/webhooks">Webhooks</A> / {w().name}</div>
            <PageHeader
              title={w().name}
              subtitle={<><WebhookHealth webhook={w()} /> <span class="mono">{w().url}</span></>}
              actions={
                <>
                  <button type="button" class="btn btn-primary" onClick={() => setDialog('test')}>Send test</button>
                  <button type="button" class="btn" onClick={() => setDialog('edit')}>Edit</button>
                  <button type="button" class="btn" onClick={() => setDialog('toggle')}>{w().isActive ? 'Deactivate' : 'Activate'}</button>
                  <button type="button" class="btn btn-ghost-danger" onClick={() => setDialog('delete')}>Delete</button>
                </>
              }
            />
            <Show when={secret()}>
              {(value) => (
                <SecretOnce
                  title="Webhook signing secret"
                  values={[{ label: 'Secret', value: value(), secret: true }]}
                  onDismiss={() => setSecret(undefined)}
                />
              )}
            </Show>
            <Show when={testResult()}>
              {(r) => (
                <div class={`alert ${r().success ? 'alert-ok' : 'alert-error'}`} role="status" aria-label="Test result">
                  <div>
                    <strong>{r().success ? 'Test delivered' : 'Test failed'}</strong>
                    <p>
                      {r().status_code ? `The receiver answered HTTP ${r().status_code}.` : 'No HTTP answer.'}
                      {r().error ? ` ${r().error}` : ''}
                    </p>
                  </div>
                  <button type="button" class="btn btn-small" onClick={() => setTestResult(undefined)}>Dismiss</button>
                </div>
              )}
            </Show>
            <div class="grid grid-2">
              <Card title="Configuration">
                <Details
                  items={[
                    ['URL', <span class="mono">{w().url}</span>],
                    ['Organization', w().organization ? <A href={`/organizations/${w().organization!.id}`}>{w().organization!.name}</A> : 'server-wide (every organization)'],
                    ['Team', w().team?.name ?? '—'],
                    ['Retries', retrySchedule(w().maxRetries, w().retryBackoffBase)],
                    ['Consecutive failures', String(w().consecutiveFails)],
                    ['Last test', <When at={w().lastTestedAt} />],
                    ['Created', formatDate(w().createdAt)],
                  ]}
                />
              </Card>
              <Card title={`Events (${w().events.length})`}>
                <Scopes scopes={w().events} />
                <p class="sub">Each delivery carries X-Webhook-Signature, an HMAC-SHA256 of the body with the signing secret.</p>
              </Card>
            </div>
            <Card title="Delivery history">
              <DeliveriesTable webhookId={w().id} refreshKey={deliveriesKey()} />
            </Card>

            <Show when={dialog() === 'test'}>
              <TestDialog
                webhookId={w().id}
                events={w().events}
                onClose={() => setDialog(undefined)}
                onSent={(result) => {
                  setDialog(undefined);
                  setTestResult(result);
                  setDeliveriesKey(deliveriesKey() + 1);
                  refetch();
                }}
              />
            </Show>
            <Show when={dialog() === 'edit'}>
              <Modal title="Edit webhook" onClose={() => setDialog(undefined)} wide>
                <WebhookForm
                  webhook={w()}
                  organizations={nodes(settled(orgs)?.organizations)}
                  onCancel={() => setDialog(undefined)}
                  onSaved={() => {
                    setDialog(undefined);
                    notify('Webhook saved');
                    refetch();
                  }}
                />
              </Modal>
            </Show>
            <Show when={dialog() === 'toggle'}>
              <ConfirmDialog
                title={w().isActive ? 'Deactivate this webhook?' : 'Activate this webhook?'}
                message={<p>{w().isActive ? 'No deliveries are sent while it is inactive.' : 'Deliveries are sent again for new events.'}</p>}
                confirmLabel={w().isActive ? 'Deactivate' : 'Activate'}
                danger={w().isActive}
                onClose={() => setDialog(undefined)}
                onConfirm={async () => {
                  await act(trpc.webhooks.update.mutate({ id: w().id, is_active: !w().isActive }));
                  notify(w().isActive ? 'Webhook deactivated' : 'Webhook activated');
                  refetch();
                }}
              />
            </Show>
            <Show when={dialog() === 'delete'}>
              <ConfirmDialog
                title={`Delete “${w().name}”?`}
                message={<p>Pending deliveries are dropped and its history goes with it.</p>}
                confirmLabel="Delete webhook"
                danger
                onClose={() => setDialog(undefined)}
                onConfirm={async () => {
                  await act(trpc.webhooks.delete.mutate({ id: w().id }));
                  notify(`Webhook “${w().name}” deleted`);
                  navigate('/webhooks', { replace: true });
                }}
              />
            </Show>
          </>
        );
      }}
    </Async>
  );
}

function TestDialog(props: { webhookId: string; events: string[]; onClose: () => void; onSent: (result: TestResult) => void }) {
  const [event, setEvent] = createSignal('webhook.test');
  const [payload, setPayload] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const send = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await act(
        trpc.webhooks.test.mutate({
          id: props.webhookId,
          event: event() as Parameters<typeof trpc.webhooks.test.mutate>[0]['event'],
          payload: payload().trim() || undefined,
        }),
      );
      props.onSent(result);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title="Send a test delivery" onClose={props.onClose}>
      <form onSubmit={send} aria-label="Send a test delivery">
        <Show when={error()}><ErrorBox error={error()} title="Not sent" /></Show>
        <div class="form-grid">
          <Field label="Event" wide>
            <select name="event" value={event()} onChange={(e) => setEvent(e.currentTarget.value)}>
              <option value="webhook.test">webhook.test</option>
              <For each={props.events.filter((ev) => ev !== 'webhook.test')}>{(ev) => <option value={ev}>{ev}</option>}</For>
            </select>
          </Field>
          <Field label="Extra payload (JSON object, optional)" wide>
            <textarea name="payload" rows="4" value={payload()} onInput={(e) => setPayload(e.currentTarget.value)} placeholder='{"note": "hello"}' />
          </Field>
        </div>
        <p class="sub">The test is sent now, signed like a real delivery, and recorded in the history.</p>
        <div class="form-actions">
          <button type="button" class="btn" onClick={() => props.onClose()}>Cancel</button>
          <button type="submit" class="btn btn-primary" disabled={busy()}>{busy() ? 'Sending…' : 'Send test'}</button>
        </div>
      </form>
    </Modal>
  );
}
