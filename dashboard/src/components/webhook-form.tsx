import { createResource, createSignal, For, Show } from 'solid-js';
import { type OrganizationOption, type WebhookResult, type WebhookSummary } from '../lib/queries.ts';
import { createTeamOptions } from '../lib/teams.ts';
import { settled } from '../lib/graphql.ts';
import { act, trpc } from '../lib/trpc.ts';
import { Badge, ErrorBox, Field, Spinner } from './ui.tsx';

type WebhookEvent = Parameters<typeof trpc.webhooks.create.mutate>[0]['events'][number];

/** A just-created webhook's signing secret, on its way from the create form to its page (memory only, never a URL). */
export const webhookSecretStore = new Map<string, string>();

export function WebhookHealth(props: { webhook: Pick<WebhookSummary, 'isActive' | 'consecutiveFails'> }) {
  return (
    <Show when={props.webhook.isActive} fallback={<Badge tone="muted">inactive</Badge>}>
      <Show when={props.webhook.consecutiveFails > 0} fallback={<Badge tone="ok">healthy</Badge>}>
        <Badge tone="bad">{props.webhook.consecutiveFails} failing</Badge>
      </Show>
    </Show>
  );
}

/** "2 s, 4 s, 8 s … 1024 s": when the retries of a failing delivery happen. */
export function retrySchedule(maxRetries: number, base: number): string {
  if (maxRetries === 0) return 'no retries';
  const waits = Array.from({ length: Math.min(maxRetries, 4) }, (_, i) => `${base ** (i + 1)} s`);
  return `${waits.join(', ')}${maxRetries > 4 ? ` … ${base ** maxRetries} s` : ''} (${maxRetries} ${maxRetries === 1 ? 'retry' : 'retries'})`;
}

/** Creates a webhook (its signing secret is returned once), or edits one when `webhook` is given. */
export function WebhookForm(props: {
  webhook?: WebhookResult['webhook'];
  organizations: OrganizationOption[];
  onCancel: () => void;
  onSaved: (result: { id: string; name: string; secret?: string }) => void;
}) {
  const w = props.webhook;
  const [events] = createResource(() => act(trpc.webhooks.events.query()));
  const [name, setName] = createSignal(w?.name ?? '');
  const [url, setUrl] = createSignal(w?.url ?? '');
  const [chosen, setChosen] = createSignal<Set<string>>(new Set(w?.events ?? ['agent.created', 'agent.deleted', 'agent.credentials_rotated']));
  const [organizationId, setOrganizationId] = createSignal(w?.organizationId ?? '');
  const [teamId, setTeamId] = createSignal(w?.teamId ?? '');
  const [maxRetries, setMaxRetries] = createSignal(String(w?.maxRetries ?? 10));
  const [backoff, setBackoff] = createSignal(String(w?.retryBackoffBase ?? 2));
  const [active, setActive] = createSignal(w?.isActive ?? true);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();

  const teams = createTeamOptions(organizationId);
  const toggle = (event: string, on: boolean) => {
    const next = new Set(chosen());
    if (on) next.add(event);
    else next.delete(event);
    setChosen(next);
  };

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const fields = {
      name: name().trim(),
      url: url().trim(),
      events: [...chosen()] as WebhookEvent[],
      max_retries: Number(maxRetries()),
      retry_backoff_base: Number(backoff()),
      is_active: active(),
      team_id: teamId() || null,
    };
    try {
      if (w) {
        // Only what changed, so the audit trail says what was edited.
        const before = { name: w.name, url: w.url, events: [...w.events].sort().join(), max_retries: w.maxRetries, retry_backoff_base: w.retryBackoffBase, is_active: w.isActive, team_id: w.teamId ?? null };
        const changes = Object.fromEntries(
          Object.entries(fields).filter(([k, v]) => (k === 'events' ? [...(v as string[])].sort().join() : v) !== before[k as keyof typeof before]),
        ) as Partial<typeof fields>;
        if (Object.keys(changes).length === 0) return props.onCancel();
        const result = await act(trpc.webhooks.update.mutate({ id: w.id, ...changes }));
        props.onSaved({ id: result.webhook.id, name: result.webhook.name });
      } else {
        const result = await act(trpc.webhooks.create.mutate({ ...fields, organization_id: organizationId() || null }));
        props.onSaved({ id: result.webhook.id, name: result.webhook.name, secret: result.secret });
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-label={w ? 'Edit webhook' : 'New webhook'}>
      <Show when={error()}><ErrorBox error={error()} title={w ? 'Not saved' : 'The webhook was not created'} /></Show>
      <div class="form-grid">
        <Field label="Name"><input name="name" required value={name()} onInput={(e) => setName(e.currentTarget.value)} placeholder="e.g. audit-sink" /></Field>
        <Field label="URL" hint="Receives a signed JSON POST per event.">
          <input name="url" type="url" required value={url()} onInput={(e) => setUrl(e.currentTarget.value)} placeholder="https://example.com/hooks/machineauth" />
        </Field>
        <Field label="Organization" hint={w ? 'Fixed once created.' : 'None: hears every organization.'}>
          <select name="organization" value={organizationId()} disabled={Boolean(w)} onChange={(e) => { setOrganizationId(e.currentTarget.value); setTeamId(''); }}>
            <option value="">None (server-wide)</option>
            <For each={props.organizations}>{(o) => <option value={o.id}>{o.name}</option>}</For>
          </select>
        </Field>
        <Field label="Team">
          <select name="team" value={teamId()} disabled={teams().length === 0} onChange={(e) => setTeamId(e.currentTarget.value)}>
            <option value="">None</option>
            <For each={teams()}>{(t) => <option value={t.id}>{t.name}</option>}</For>
          </select>
        </Field>
        <Field label="Max retries"><input name="max_retries" type="number" min="0" max="100" required value={maxRetries()} onInput={(e) => setMaxRetries(e.currentTarget.value)} /></Field>
        <Field label="Backoff base (s)" hint="Retry n waits base^n seconds.">
          <input name="retry_backoff_base" type="number" min="1" max="60" required value={backoff()} onInput={(e) => setBackoff(e.currentTarget.value)} />
        </Field>
        <div class="field field-wide">
          <span class="field-label">Events</span>
          <Show when={settled(events)} fallback={<Show when={events.error} fallback={<Spinner label="Loading events…" />}><ErrorBox error={events.error} /></Show>}>
            {(list) => (
              <div class="checks" role="group" aria-label="Events">
                <For each={list().events}>
                  {(event) => (
                    <label class="checkbox">
                      <input type="checkbox" checked={chosen().has(event)} onChange={(e) => toggle(event, e.currentTarget.checked)} />
                      <span class="mono">{event}</span>
                    </label>
                  )}
                </For>
              </div>
            )}
          </Show>
        </div>
        <label class="checkbox field-wide">
          <input type="checkbox" name="is_active" checked={active()} onChange={(e) => setActive(e.currentTarget.checked)} />
          Active (deliveries are sent)
        </label>
      </div>
      <p class="sub">Retry schedule: {retrySchedule(Number(maxRetries()) || 0, Number(backoff()) || 1)}</p>
      <div class="form-actions">
        <button type="button" class="btn" onClick={() => props.onCancel()}>Cancel</button>
        <button type="submit" class="btn btn-primary" disabled={busy()}>{busy() ? 'Saving…' : w ? 'Save' : 'Create webhook'}</button>
      </div>
    </form>
  );
}
