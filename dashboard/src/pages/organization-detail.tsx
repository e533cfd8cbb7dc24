import { A, useNavigate, useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { AgentForm } from '../components/agent-form.tsx';
import { EXPIRY_CHOICES, Scopes, When } from '../components/bits.tsx';
import { OrganizationForm } from '../components/organization-form.tsx';
import { ActiveBadge, Async, Badge, Card, ConfirmDialog, Details, Empty, ErrorBox, Field, Modal, PageHeader, SecretOnce, notify } from '../components/ui.tsx';
import { formatDate, formatDuration } from '../lib/format.ts';
import { gql } from '../lib/graphql.ts';
import { nodes, ORGANIZATION_QUERY, type ApiKeyRow, type OrganizationDetail, type OrganizationResult, type TeamRow } from '../lib/queries.ts';
import { act, trpc } from '../lib/trpc.ts';

type Dialog =
  | { kind: 'edit' }
  | { kind: 'delete' }
  | { kind: 'team'; team?: TeamRow }
  | { kind: 'delete-team'; team: TeamRow }
  | { kind: 'agent' }
  | { kind: 'api-key' }
  | { kind: 'revoke-key'; key: ApiKeyRow };

type Revealed = { title: string; values: { label: string; value: string; secret?: boolean }[] };

export default function OrganizationDetailPage() {
  const params = useParams<{ id: string }>();
  const navigate = useNavigate();
  const [org, { refetch }] = createResource(() => params.id, (id) => gql<OrganizationResult>(ORGANIZATION_QUERY, { id }));
  const [dialog, setDialog] = createSignal<Dialog>();
  const [revealed, setRevealed] = createSignal<Revealed>();
  const close = () => setDialog(undefined);

  return (
    <Async resource={org} refetch={refetch} loading="Loading organization…">
      {(data) => {
        const o = () => data.organization;
        const teamOptions = () => [{ id: o().id, name: o().name }];
        return (
          <>
            <div class="breadcrumb"><A href="/organizations">Organizations</A> / {o().name}</div>
            <PageHeader
              title={o().name}
              subtitle={<><span class="mono">{o().slug}</span> · <Badge tone={o().plan === 'free' ? 'muted' : 'info'}>{o().plan}</Badge></>}
              actions={
                <>
                  <button type="button" class="btn" onClick={() => setDialog({ kind: 'edit' })}>Edit</button>
                  <button type="button" class="btn btn-ghost-danger" onClick={() => setDialog({ kind: 'delete' })}>Delete</button>
                </>
              }
            />

            <Show when={revealed()}>{(r) => <SecretOnce title={r().title} values={r().values} onDismiss={() => setRevealed(undefined)} />}</Show>

            <Card title="Settings">
              <Details
                items={[
                  ['Organization id', <span class="mono">{o().id}</span>],
                  ['Owner', o().ownerEmail || '—'],
                  ['JWT issuer', o().jwtIssuer || 'server default'],
                  ['Token lifetime', o().jwtExpirySecs ? formatDuration(o().jwtExpirySecs) : 'server default'],
                  ['Allowed origins', o().allowedOrigins.length ? o().allowedOrigins.join(', ') : 'none'],
                  ['Created', formatDate(o().createdAt)],
                ]}
              />
            </Card>

            <Card title={`Teams (${o().teams.edges.length})`} actions={<button type="button" class="btn btn-small" onClick={() => setDialog({ kind: 'team' })}>New team</button>}>
              <Show when={o().teams.edges.length > 0} fallback={<Empty title="No teams" />}>
                <div class="table-wrap">
                  <table aria-label="Teams">
                    <thead><tr><th>Team</th><th class="hide-phone">Description</th><th class="hide-phone">Created</th><th /></tr></thead>
                    <tbody>
                      <For each={nodes(o().teams)}>
                        {(team) => (
                          <tr>
                            <td>{team.name}</td>
                            <td class="hide-phone truncate">{team.description || '—'}</td>
                            <td class="hide-phone">{formatDate(team.createdAt)}</td>
                            <td class="num">
                              <button type="button" class="btn btn-small" onClick={() => setDialog({ kind: 'team', team })}>Edit</button>{' '}
                              <button type="button" class="btn btn-small btn-ghost-danger" onClick={() => setDialog({ kind: 'delete-team', team })}>Delete</button>
                            </td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
              </Show>
            </Card>

            <Card title={`Agents (${o().agentCount})`} actions={<button type="button" class="btn btn-small" onClick={() => setDialog({ kind: 'agent' })}>New agent</button>}>
              <Show when={o().agents.edges.length > 0} fallback={<Empty title="No agents in this organization" />}>
                <div class="table-wrap">
                  <table aria-label="Organization agents">
                    <thead><tr><th>Agent</th><th class="hide-phone">Team</th><th class="hide-phone">Scopes</th><th>Status</th></tr></thead>
                    <tbody>
                      <For each={nodes(o().agents)}>
                        {(agent) => (
                          <tr>
                            <td><A href={`/agents/${agent.id}`}>{agent.name}</A><span class="sub mono">{agent.clientId}</span></td>
                            <td class="hide-phone">{agent.team?.name ?? '—'}</td>
                            <td class="hide-phone"><Scopes scopes={agent.scopes} /></td>
                            <td><ActiveBadge active={agent.isActive} /></td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
                <Show when={o().agents.pageInfo.hasNextPage}>
                  <p class="sub"><A href={`/agents?org=${o().id}`}>All agents of {o().name} →</A></p>
                </Show>
              </Show>
            </Card>

            <Card title="API keys" actions={<button type="button" class="btn btn-small" onClick={() => setDialog({ kind: 'api-key' })}>New API key</button>}>
              <p class="sub">An API key administers this organization only: its agents, teams, keys and webhooks.</p>
              <Show when={o().apiKeys.edges.length > 0} fallback={<Empty title="No API keys" />}>
                <div class="table-wrap">
                  <table aria-label="API keys">
                    <thead><tr><th>Key</th><th>Status</th><th class="hide-phone">Team</th><th class="hide-phone">Last used</th><th class="hide-phone">Expires</th><th /></tr></thead>
                    <tbody>
                      <For each={nodes(o().apiKeys)}>
                        {(key) => (
                          <tr>
                            <td>{key.name}<span class="sub mono">{key.prefix}…</span></td>
                            <td><Badge tone={key.isActive ? 'ok' : 'muted'}>{key.revokedAt ? 'revoked' : key.isActive ? 'active' : 'expired'}</Badge></td>
                            <td class="hide-phone">{key.team?.name ?? '—'}</td>
                            <td class="hide-phone"><When at={key.lastUsedAt} /></td>
                            <td class="hide-phone">{key.expiresAt ? formatDate(key.expiresAt) : 'never'}</td>
                            <td class="num">
                              <Show when={key.isActive}>
                                <button type="button" class="btn btn-small btn-ghost-danger" onClick={() => setDialog({ kind: 'revoke-key', key })}>Revoke</button>
                              </Show>
                            </td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
              </Show>
            </Card>

            <Show when={dialog()} keyed>
              {(current) => {
                switch (current.kind) {
                  case 'edit':
                    return (
                      <Modal title="Edit organization" onClose={close} wide>
                        <OrganizationForm organization={o()} onCancel={close} onSaved={() => { close(); notify('Organization saved'); refetch(); }} />
                      </Modal>
                    );
                  case 'delete':
                    return (
                      <ConfirmDialog
                        title={`Delete “${o().name}”?`}
                        message={<p>Its teams, agents, API keys and webhooks are deleted with it, and its agents' tokens stop working at once. This cannot be undone.</p>}
                        confirmLabel="Delete organization"
                        danger
                        onClose={close}
                        onConfirm={async () => {
                          await act(trpc.organizations.delete.mutate({ id: o().id }));
                          notify(`Organization “${o().name}” deleted`);
                          navigate('/organizations', { replace: true });
                        }}
                      />
                    );
                  case 'team':
                    return <TeamDialog organizationId={o().id} team={current.team} onClose={close} onSaved={() => { close(); refetch(); }} />;
                  case 'delete-team':
                    return (
                      <ConfirmDialog
                        title={`Delete team “${current.team.name}”?`}
                        message={<p>Its agents and API keys stay in the organization, without a team.</p>}
                        confirmLabel="Delete team"
                        danger
                        onClose={close}
                        onConfirm={async () => {
                          await act(trpc.organizations.teams.delete.mutate({ organization_id: o().id, team_id: current.team.id }));
                          notify('Team deleted');
                          refetch();
                        }}
                      />
                    );
                  case 'agent':
                    return (
                      <Modal title={`New agent in ${o().name}`} onClose={close}>
                        <AgentForm
                          organizations={teamOptions()}
                          defaultOrganizationId={o().id}
                          lockOrganization
                          onCancel={close}
                          onCreated={(r) => {
                            close();
                            setRevealed({ title: `Agent “${r.name}” created`, values: [{ label: 'client_id', value: r.clientId }, { label: 'client_secret', value: r.clientSecret, secret: true }] });
                            refetch();
                          }}
                        />
                      </Modal>
                    );
                  case 'api-key':
                    return (
                      <ApiKeyDialog
                        organization={o()}
                        onClose={close}
                        onCreated={(name, key) => {
                          close();
                          setRevealed({ title: `API key “${name}” created`, values: [{ label: 'API key', value: key, secret: true }] });
                          refetch();
                        }}
                      />
                    );
                  case 'revoke-key':
                    return (
                      <ConfirmDialog
                        title={`Revoke “${current.key.name}”?`}
                        message={<p>Requests with this key are refused from now on.</p>}
                        confirmLabel="Revoke key"
                        danger
                        onClose={close}
                        onConfirm={async () => {
                          await act(trpc.apiKeys.revoke.mutate({ organization_id: o().id, key_id: current.key.id }));
                          notify('API key revoked');
                          refetch();
                        }}
                      />
                    );
                }
              }}
            </Show>
          </>
        );
      }}
    </Async>
  );
}

function TeamDialog(props: { organizationId: string; team?: TeamRow; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = createSignal(props.team?.name ?? '');
  const [description, setDescription] = createSignal(props.team?.description ?? '');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const fields = { name: name().trim(), description: description().trim() };
      if (props.team) await act(trpc.organizations.teams.update.mutate({ organization_id: props.organizationId, team_id: props.team.id, ...fields }));
      else await act(trpc.organizations.teams.create.mutate({ organization_id: props.organizationId, ...fields }));
      notify(props.team ? 'Team saved' : `Team “${fields.name}” created`);
      props.onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={props.team ? 'Edit team' : 'New team'} onClose={props.onClose}>
      <form onSubmit={submit} aria-label={props.team ? 'Edit team' : 'New team'}>
        <Show when={error()}><ErrorBox error={error()} title="Not saved" /></Show>
        <div class="form-grid">
          <Field label="Name" wide><input name="name" required value={name()} onInput={(e) => setName(e.currentTarget.value)} /></Field>
          <Field label="Description" wide><textarea name="description" rows="3" value={description()} onInput={(e) => setDescription(e.currentTarget.value)} /></Field>
        </div>
        <div class="form-actions">
          <button type="button" class="btn" onClick={() => props.onClose()}>Cancel</button>
          <button type="submit" class="btn btn-primary" disabled={busy()}>{busy() ? 'Saving…' : props.team ? 'Save' : 'Create team'}</button>
        </div>
      </form>
    </Modal>
  );
}

function ApiKeyDialog(props: { organization: OrganizationDetail; onClose: () => void; onCreated: (name: string, key: string) => void }) {
  const [name, setName] = createSignal('');
  const [teamId, setTeamId] = createSignal('');
  const [expiry, setExpiry] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await act(
        trpc.apiKeys.create.mutate({
          organization_id: props.organization.id,
          name: name().trim(),
          team_id: teamId() || null,
          expires_in: expiry() ? Number(expiry()) : null,
        }),
      );
      props.onCreated(result.api_key.name, result.key);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title="New API key" onClose={props.onClose}>
      <form onSubmit={submit} aria-label="New API key">
        <Show when={error()}><ErrorBox error={error()} title="The key was not created" /></Show>
        <div class="form-grid">
          <Field label="Name" wide><input name="name" required value={name()} onInput={(e) => setName(e.currentTarget.value)} placeholder="e.g. ci-deploy" /></Field>
          <Field label="Team">
            <select name="team" value={teamId()} onChange={(e) => setTeamId(e.currentTarget.value)}>
              <option value="">None</option>
              <For each={nodes(props.organization.teams)}>{(t) => <option value={t.id}>{t.name}</option>}</For>
            </select>
          </Field>
          <Field label="Expires">
            <select name="expiry" value={expiry()} onChange={(e) => setExpiry(e.currentTarget.value)}>
              <For each={EXPIRY_CHOICES}>{(c) => <option value={c.seconds ?? ''}>{c.label}</option>}</For>
            </select>
          </Field>
        </div>
        <div class="form-actions">
          <button type="button" class="btn" onClick={() => props.onClose()}>Cancel</button>
          <button type="submit" class="btn btn-primary" disabled={busy()}>{busy() ? 'Creating…' : 'Create key'}</button>
        </div>
      </form>
    </Modal>
  );
}
