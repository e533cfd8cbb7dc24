import { A, useNavigate, useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { ActionBadge, EXPIRY_CHOICES, Scopes, When } from '../components/bits.tsx';
import {
  ActiveBadge, Async, Badge, Card, ConfirmDialog, CopyButton, Details, Empty, ErrorBox, Field, Modal, PageHeader, SecretOnce, StatCard, notify,
} from '../components/ui.tsx';
import { formatDate, formatNumber, parseScopes } from '../lib/format.ts';
import { gql } from '../lib/graphql.ts';
import { AGENT_QUERY, nodes, type AgentDetail, type AgentResult } from '../lib/queries.ts';
import { act, trpc } from '../lib/trpc.ts';

type Pending = 'rotate' | 'deactivate' | 'activate' | 'delete' | 'edit' | undefined;

const TOKEN_TONES = { ACTIVE: 'ok', EXPIRED: 'muted', REVOKED: 'bad' } as const;

export default function AgentDetailPage() {
  const params = useParams<{ id: string }>();
  const navigate = useNavigate();
  const [agent, { refetch }] = createResource(() => params.id, (id) => gql<AgentResult>(AGENT_QUERY, { id }));
  const [pending, setPending] = createSignal<Pending>();
  const [secret, setSecret] = createSignal<{ clientId: string; clientSecret: string }>();

  return (
    <Async resource={agent} refetch={refetch} loading="Loading agent…">
      {(data) => {
        const a = () => data.agent;
        return (
          <>
            <div class="breadcrumb"><A href="/agents">Agents</A> / {a().name}</div>
            <PageHeader
              title={a().name}
              subtitle={<><ActiveBadge active={a().isActive} /> <span class="mono">{a().clientId}</span></>}
              actions={
                <>
                  <button type="button" class="btn" onClick={() => setPending('edit')}>Edit</button>
                  <button type="button" class="btn" onClick={() => setPending('rotate')}>Rotate secret</button>
                  <Show
                    when={a().isActive}
                    fallback={<button type="button" class="btn" onClick={() => setPending('activate')}>Activate</button>}
                  >
                    <button type="button" class="btn" onClick={() => setPending('deactivate')}>Deactivate</button>
                  </Show>
                  <button type="button" class="btn btn-ghost-danger" onClick={() => setPending('delete')}>Delete</button>
                </>
              }
            />

            <Show when={secret()}>
              {(s) => (
                <SecretOnce
                  title="New client secret"
                  values={[
                    { label: 'client_id', value: s().clientId },
                    { label: 'client_secret', value: s().clientSecret, secret: true },
                  ]}
                  onDismiss={() => setSecret(undefined)}
                />
              )}
            </Show>

            <div class="stats">
              <StatCard label="Tokens issued" value={formatNumber(a().usage.tokenCount)} />
              <StatCard label="Refreshes" value={formatNumber(a().usage.refreshCount)} />
              <StatCard label="Last activity" value={<When at={a().usage.lastActivityAt} />} />
              <StatCard label="Last token" value={<When at={a().usage.lastTokenIssuedAt} />} />
            </div>

            <div class="grid grid-2">
              <Card title="Credentials">
                <Details
                  items={[
                    ['client_id', <span class="mono">{a().clientId} <CopyButton value={a().clientId} /></span>],
                    ['client_secret', <span class="sub">Shown only when created or rotated.</span>],
                    ['Agent id', <span class="mono">{a().id}</span>],
                    ['Organization', a().organization ? <A href={`/organizations/${a().organization!.id}`}>{a().organization!.name}</A> : '—'],
                    ['Team', a().team?.name ?? '—'],
                    ['Created', formatDate(a().createdAt)],
                    ['Credentials expire', a().expiresAt ? formatDate(a().expiresAt) : 'never'],
                  ]}
                />
              </Card>
              <Card title="Scopes">
                <Scopes scopes={a().scopes} />
                <p class="sub">A token may ask for any subset of these scopes; none asked means all of them.</p>
              </Card>
            </div>

            <div class="grid grid-2">
              <Card title="Rotation history">
                <Show when={a().rotationHistory.edges.length > 0} fallback={<Empty title="The secret has never been rotated" />}>
                  <div class="table-wrap">
                    <table aria-label="Rotation history">
                      <thead><tr><th>Rotated</th><th>From IP</th></tr></thead>
                      <tbody>
                        <For each={nodes(a().rotationHistory)}>
                          {(r) => <tr><td>{formatDate(r.rotatedAt)}</td><td class="mono">{r.rotatedByIp || '—'}</td></tr>}
                        </For>
                      </tbody>
                    </table>
                  </div>
                </Show>
              </Card>
              <Card title="Recent tokens">
                <Show when={a().tokens.edges.length > 0} fallback={<Empty title="No token issued yet" />}>
                  <div class="table-wrap">
                    <table aria-label="Recent tokens">
                      <thead><tr><th>Issued</th><th>Grant</th><th>Status</th><th class="hide-phone">Expires</th></tr></thead>
                      <tbody>
                        <For each={nodes(a().tokens)}>
                          {(t) => (
                            <tr>
                              <td><When at={t.issuedAt} /></td>
                              <td class="mono">{t.grantType}</td>
                              <td><Badge tone={TOKEN_TONES[t.status]}>{t.status.toLowerCase()}</Badge></td>
                              <td class="hide-phone">{formatDate(t.expiresAt)}</td>
                            </tr>
                          )}
                        </For>
                      </tbody>
                    </table>
                  </div>
                </Show>
              </Card>
            </div>

            <Card title="Recent audit events">
              <Show when={a().auditLog.edges.length > 0} fallback={<Empty title="No events recorded" />}>
                <ul class="feed" aria-label="Audit events">
                  <For each={nodes(a().auditLog)}>
                    {(e) => (
                      <li>
                        <div>
                          <ActionBadge action={e.action} /> <span class="actor">{e.actor}{e.ipAddress ? ` · ${e.ipAddress}` : ''}</span>
                        </div>
                        <span class="when"><When at={e.createdAt} /></span>
                      </li>
                    )}
                  </For>
                </ul>
              </Show>
            </Card>

            <Show when={pending() === 'rotate'}>
              <ConfirmDialog
                title="Rotate the client secret?"
                message={<p>The current secret stops working at once. Tokens already issued stay valid until they expire. The new secret is shown once.</p>}
                confirmLabel="Rotate secret"
                onClose={() => setPending(undefined)}
                onConfirm={async () => {
                  const result = await act(trpc.agents.rotate.mutate({ id: a().id }));
                  setSecret({ clientId: result.client_id, clientSecret: result.client_secret });
                  notify('Client secret rotated');
                  refetch();
                }}
              />
            </Show>
            <Show when={pending() === 'deactivate'}>
              <ConfirmDialog
                title="Deactivate this agent?"
                message={<p>It gets no new tokens, and its existing tokens stop passing introspection and verification until it is activated again.</p>}
                confirmLabel="Deactivate"
                danger
                onClose={() => setPending(undefined)}
                onConfirm={async () => {
                  await act(trpc.agents.deactivate.mutate({ id: a().id }));
                  notify('Agent deactivated');
                  refetch();
                }}
              />
            </Show>
            <Show when={pending() === 'activate'}>
              <ConfirmDialog
                title="Activate this agent?"
                message={<p>It can get tokens again with its current secret.</p>}
                confirmLabel="Activate"
                onClose={() => setPending(undefined)}
                onConfirm={async () => {
                  await act(trpc.agents.activate.mutate({ id: a().id }));
                  notify('Agent activated');
                  refetch();
                }}
              />
            </Show>
            <Show when={pending() === 'delete'}>
              <ConfirmDialog
                title={`Delete “${a().name}”?`}
                message={<p>The agent and all its tokens are removed; tokens stop verifying at once. This cannot be undone.</p>}
                confirmLabel="Delete agent"
                danger
                onClose={() => setPending(undefined)}
                onConfirm={async () => {
                  await act(trpc.agents.delete.mutate({ id: a().id }));
                  notify(`Agent “${a().name}” deleted`);
                  navigate('/agents', { replace: true });
                }}
              />
            </Show>
            <Show when={pending() === 'edit'}>
              <EditAgent agent={a()} onClose={() => setPending(undefined)} onSaved={() => { notify('Agent updated'); refetch(); }} />
            </Show>
          </>
        );
      }}
    </Async>
  );
}

function EditAgent(props: { agent: AgentDetail; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = createSignal(props.agent.name);
  const [scopes, setScopes] = createSignal(props.agent.scopes.join(' '));
  const [expiry, setExpiry] = createSignal('keep');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await act(
        trpc.agents.update.mutate({
          id: props.agent.id,
          name: name().trim(),
          scopes: parseScopes(scopes()),
          ...(expiry() === 'keep' ? {} : { expires_in: expiry() === '' ? null : Number(expiry()) }),
        }),
      );
      props.onSaved();
      props.onClose();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title="Edit agent" onClose={props.onClose}>
      <form onSubmit={submit} aria-label="Edit agent">
        <Show when={error()}><ErrorBox error={error()} title="Not saved" /></Show>
        <div class="form-grid">
          <Field label="Name" wide><input name="name" required value={name()} onInput={(e) => setName(e.currentTarget.value)} /></Field>
          <Field label="Scopes" hint="Separated by spaces or commas." wide><input name="scopes" value={scopes()} onInput={(e) => setScopes(e.currentTarget.value)} /></Field>
          <Field label="Credentials expire" wide>
            <select name="expiry" value={expiry()} onChange={(e) => setExpiry(e.currentTarget.value)}>
              <option value="keep">Keep ({props.agent.expiresAt ? formatDate(props.agent.expiresAt) : 'never'})</option>
              <For each={EXPIRY_CHOICES}>{(c) => <option value={c.seconds ?? ''}>{c.seconds ? `${c.label} from now` : 'Never'}</option>}</For>
            </select>
          </Field>
        </div>
        <div class="form-actions">
          <button type="button" class="btn" onClick={() => props.onClose()}>Cancel</button>
          <button type="submit" class="btn btn-primary" disabled={busy()}>{busy() ? 'Saving…' : 'Save'}</button>
        </div>
      </form>
    </Modal>
  );
}
