import { createSignal, For, Show } from 'solid-js';
import { parseScopes } from '../lib/format.ts';
import { type OrganizationOption } from '../lib/queries.ts';
import { createTeamOptions } from '../lib/teams.ts';
import { act, trpc } from '../lib/trpc.ts';
import { EXPIRY_CHOICES } from './bits.tsx';
import { ErrorBox, Field } from './ui.tsx';

/** Creates an agent; the parent shows the returned secret, which exists nowhere else. */
export function AgentForm(props: {
  organizations: OrganizationOption[];
  defaultOrganizationId?: string;
  /** Fixes the organization (an organization's page). */
  lockOrganization?: boolean;
  onCancel: () => void;
  onCreated: (result: { name: string; clientId: string; clientSecret: string; id: string }) => void;
}) {
  const [name, setName] = createSignal('');
  const [scopes, setScopes] = createSignal('read');
  const [organizationId, setOrganizationId] = createSignal(props.defaultOrganizationId ?? '');
  const [teamId, setTeamId] = createSignal('');
  const [expiry, setExpiry] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();

  const teams = createTeamOptions(organizationId);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const result = await act(
        trpc.agents.create.mutate({
          name: name().trim(),
          scopes: parseScopes(scopes()),
          organization_id: organizationId() || null,
          team_id: teamId() || null,
          expires_in: expiry() ? Number(expiry()) : null,
        }),
      );
      props.onCreated({ id: result.agent.id, name: result.agent.name, clientId: result.client_id, clientSecret: result.client_secret });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-label="New agent">
      <Show when={error()}><ErrorBox error={error()} title="The agent was not created" /></Show>
      <div class="form-grid">
        <Field label="Name" wide>
          <input name="name" required maxLength={255} value={name()} onInput={(e) => setName(e.currentTarget.value)} placeholder="e.g. billing-bot" />
        </Field>
        <Field label="Scopes" hint="Separated by spaces or commas; tokens can ask for any subset." wide>
          <input name="scopes" value={scopes()} onInput={(e) => setScopes(e.currentTarget.value)} placeholder="read write" />
        </Field>
        <Field label="Organization">
          <select name="organization" value={organizationId()} disabled={props.lockOrganization} onChange={(e) => { setOrganizationId(e.currentTarget.value); setTeamId(''); }}>
            <option value="">None</option>
            <For each={props.organizations}>{(o) => <option value={o.id}>{o.name}</option>}</For>
          </select>
        </Field>
        <Field label="Team">
          <select name="team" value={teamId()} disabled={teams().length === 0} onChange={(e) => setTeamId(e.currentTarget.value)}>
            <option value="">None</option>
            <For each={teams()}>{(t) => <option value={t.id}>{t.name}</option>}</For>
          </select>
        </Field>
        <Field label="Credentials expire">
          <select name="expiry" value={expiry()} onChange={(e) => setExpiry(e.currentTarget.value)}>
            <For each={EXPIRY_CHOICES}>{(c) => <option value={c.seconds ?? ''}>{c.label}</option>}</For>
          </select>
        </Field>
      </div>
      <div class="form-actions">
        <button type="button" class="btn" onClick={() => props.onCancel()}>Cancel</button>
        <button type="submit" class="btn btn-primary" disabled={busy()}>{busy() ? 'Creating…' : 'Create agent'}</button>
      </div>
    </form>
  );
}
