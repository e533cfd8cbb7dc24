import { createSignal, Show } from 'solid-js';
import type { OrganizationDetail } from '../lib/queries.ts';
import { act, trpc } from '../lib/trpc.ts';
import { ErrorBox, Field } from './ui.tsx';

/** "Acme Robotics, Inc." → "acme-robotics-inc" */
export function slugify(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64).replace(/-+$/, '');
}

/** Creates an organization, or edits one when `organization` is given. */
export function OrganizationForm(props: { organization?: OrganizationDetail; onCancel: () => void; onSaved: (id: string, name: string) => void }) {
  const o = props.organization;
  const [name, setName] = createSignal(o?.name ?? '');
  const [slug, setSlug] = createSignal(o?.slug ?? '');
  const [slugTouched, setSlugTouched] = createSignal(Boolean(o));
  const [ownerEmail, setOwnerEmail] = createSignal(o?.ownerEmail ?? '');
  const [plan, setPlan] = createSignal<'free' | 'pro' | 'enterprise'>((o?.plan as 'free') ?? 'free');
  const [jwtIssuer, setJwtIssuer] = createSignal(o?.jwtIssuer ?? '');
  const [jwtExpiry, setJwtExpiry] = createSignal(String(o?.jwtExpirySecs ?? 0));
  const [origins, setOrigins] = createSignal(o?.allowedOrigins.join(', ') ?? '');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const fields = {
      name: name().trim(),
      slug: slug().trim(),
      owner_email: ownerEmail().trim(),
      plan: plan(),
      jwt_issuer: jwtIssuer().trim(),
      jwt_expiry_secs: Number(jwtExpiry() || 0),
      allowed_origins: origins().split(',').map((s) => s.trim()).filter(Boolean).join(','),
    };
    try {
      if (o) {
        // Only what changed, so that saving an untouched form is not an error.
        const before = { name: o.name, slug: o.slug, owner_email: o.ownerEmail, plan: o.plan, jwt_issuer: o.jwtIssuer, jwt_expiry_secs: o.jwtExpirySecs, allowed_origins: o.allowedOrigins.join(',') };
        const changes = Object.fromEntries(Object.entries(fields).filter(([k, v]) => before[k as keyof typeof before] !== v));
        if (Object.keys(changes).length === 0) return props.onCancel();
        const saved = await act(trpc.organizations.update.mutate({ id: o.id, ...changes }));
        props.onSaved(saved.id, saved.name);
      } else {
        const saved = await act(trpc.organizations.create.mutate(fields));
        props.onSaved(saved.id, saved.name);
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-label={o ? 'Edit organization' : 'New organization'}>
      <Show when={error()}><ErrorBox error={error()} title={o ? 'Not saved' : 'The organization was not created'} /></Show>
      <div class="form-grid">
        <Field label="Name">
          <input
            name="name"
            required
            value={name()}
            onInput={(e) => {
              setName(e.currentTarget.value);
              if (!slugTouched()) setSlug(slugify(e.currentTarget.value));
            }}
          />
        </Field>
        <Field label="Slug" hint="Lowercase letters, digits and hyphens; unique.">
          <input name="slug" required value={slug()} onInput={(e) => { setSlug(e.currentTarget.value); setSlugTouched(true); }} />
        </Field>
        <Field label="Owner email">
          <input name="owner_email" type="email" value={ownerEmail()} onInput={(e) => setOwnerEmail(e.currentTarget.value)} />
        </Field>
        <Field label="Plan">
          <select name="plan" value={plan()} onChange={(e) => setPlan(e.currentTarget.value as 'free')}>
            <option value="free">free</option>
            <option value="pro">pro</option>
            <option value="enterprise">enterprise</option>
          </select>
        </Field>
        <Field label="JWT issuer" hint="The iss of its agents' tokens; empty for the server's.">
          <input name="jwt_issuer" type="url" value={jwtIssuer()} onInput={(e) => setJwtIssuer(e.currentTarget.value)} placeholder="https://auth.example.com" />
        </Field>
        <Field label="Token lifetime (seconds)" hint="0 for the server's default.">
          <input name="jwt_expiry_secs" type="number" min="0" max="2592000" value={jwtExpiry()} onInput={(e) => setJwtExpiry(e.currentTarget.value)} />
        </Field>
        <Field label="Allowed origins" hint="Browser origins allowed to call on its behalf (CORS), comma-separated." wide>
          <input name="allowed_origins" value={origins()} onInput={(e) => setOrigins(e.currentTarget.value)} placeholder="https://app.example.com, http://localhost:3000" />
        </Field>
      </div>
      <div class="form-actions">
        <button type="button" class="btn" onClick={() => props.onCancel()}>Cancel</button>
        <button type="submit" class="btn btn-primary" disabled={busy()}>{busy() ? 'Saving…' : o ? 'Save' : 'Create organization'}</button>
      </div>
    </form>
  );
}
