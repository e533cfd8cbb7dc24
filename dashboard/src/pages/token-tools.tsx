import { useSearchParams } from '@solidjs/router';
import { createMemo, createResource, createSignal, For, Show } from 'solid-js';
import { Badge, Card, ConfirmDialog, CopyButton, Details, ErrorBox, Field, PageHeader, notify } from '../components/ui.tsx';
import { decodeJwt, formatDate } from '../lib/format.ts';
import { gql } from '../lib/graphql.ts';
import { AGENTS_QUERY, nodes, type AgentsResult } from '../lib/queries.ts';
import { act, trpc } from '../lib/trpc.ts';

type Issued = Awaited<ReturnType<typeof trpc.tokens.issue.mutate>>;
type Introspection = Awaited<ReturnType<typeof trpc.tokens.introspect.mutate>>;

const pretty = (value: unknown) => JSON.stringify(value, null, 2);

/** Claims that are epoch seconds, shown as dates beside the raw JSON. */
const TIME_CLAIMS = ['iat', 'nbf', 'exp'];

export default function TokenToolsPage() {
  const [params] = useSearchParams<{ client_id: string }>();
  // Suggestions for the client_id field; the tools work without them.
  const [agents] = createResource(() => gql<AgentsResult>(AGENTS_QUERY, { first: 100, filter: { isActive: true } }).catch(() => undefined));

  const [clientId, setClientId] = createSignal(params.client_id ?? '');
  const [clientSecret, setClientSecret] = createSignal('');
  const [scope, setScope] = createSignal('');
  const [issuing, setIssuing] = createSignal(false);
  const [issueError, setIssueError] = createSignal<unknown>();
  const [issued, setIssued] = createSignal<Issued>();

  const [token, setToken] = createSignal('');
  const [checking, setChecking] = createSignal(false);
  const [checkError, setCheckError] = createSignal<unknown>();
  const [introspection, setIntrospection] = createSignal<Introspection>();
  const [confirmRevoke, setConfirmRevoke] = createSignal(false);

  const issue = async (e: SubmitEvent) => {
    e.preventDefault();
    setIssuing(true);
    setIssueError(undefined);
    setIssued(undefined);
    try {
      const result = await act(trpc.tokens.issue.mutate({ client_id: clientId().trim(), client_secret: clientSecret(), scope: scope().trim() || undefined }));
      setIssued(result);
      setClientSecret('');
      notify('Token issued');
    } catch (err) {
      setIssueError(err);
    } finally {
      setIssuing(false);
    }
  };

  const introspect = async () => {
    setChecking(true);
    setCheckError(undefined);
    try {
      setIntrospection(await act(trpc.tokens.introspect.mutate({ token: token().trim() })));
    } catch (err) {
      setIntrospection(undefined);
      setCheckError(err);
    } finally {
      setChecking(false);
    }
  };

  const inspect = (value: string) => {
    setToken(value);
    setIntrospection(undefined);
    setCheckError(undefined);
    document.getElementById('inspect')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };

  return (
    <>
      <PageHeader title="Token tools" subtitle="Issue a token for an agent, decode and introspect any token, revoke it." />
      <div class="grid grid-2">
        <Card title="Issue a token">
          <form onSubmit={issue} aria-label="Issue a token">
            <Show when={issueError()}><ErrorBox error={issueError()} title="No token issued" /></Show>
            <div class="form-grid">
              <Field label="client_id" wide>
                <input name="client_id" required list="agent-client-ids" autocomplete="off" spellcheck={false} value={clientId()} onInput={(e) => setClientId(e.currentTarget.value)} />
                <datalist id="agent-client-ids">
                  <For each={nodes(agents.latest?.agents)}>{(a) => <option value={a.clientId}>{a.name}</option>}</For>
                </datalist>
              </Field>
              <Field label="client_secret" wide>
                <input name="client_secret" type="password" required autocomplete="off" value={clientSecret()} onInput={(e) => setClientSecret(e.currentTarget.value)} />
              </Field>
              <Field label="Scope" hint="Optional, space-separated; must be among the agent's scopes." wide>
                <input name="scope" value={scope()} onInput={(e) => setScope(e.currentTarget.value)} placeholder="all of the agent's scopes" />
              </Field>
            </div>
            <div class="form-actions">
              <button type="submit" class="btn btn-primary" disabled={issuing()}>{issuing() ? 'Issuing…' : 'Issue token'}</button>
            </div>
          </form>
          <Show when={issued()}>
            {(t) => (
              <section class="issued" aria-label="Issued token">
                <Details
                  items={[
                    ['Token type', t().token_type],
                    ['Expires in', `${t().expires_in} s (${formatDate(new Date((t().issued_at + t().expires_in) * 1000).toISOString())})`],
                    ['Scope', t().scope || '—'],
                  ]}
                />
                <Field label="Access token" wide>
                  <textarea name="access_token" rows="4" readonly value={t().access_token} />
                </Field>
                <div class="form-actions">
                  <CopyButton value={t().access_token} label="Copy access token" />
                  <CopyButton value={t().refresh_token} label="Copy refresh token" />
                  <button type="button" class="btn btn-small" onClick={() => inspect(t().access_token)}>Inspect this token</button>
                </div>
              </section>
            )}
          </Show>
        </Card>

        <Card title="Inspect a token" id="inspect">
          <Field label="Token" hint="An access token (JWT) or a refresh token." wide>
            <textarea
              name="token"
              rows="5"
              spellcheck={false}
              value={token()}
              onInput={(e) => {
                setToken(e.currentTarget.value);
                setIntrospection(undefined);
                setCheckError(undefined);
              }}
              placeholder="eyJhbGciOi…"
            />
          </Field>
          <div class="form-actions">
            <button type="button" class="btn" disabled={!token().trim() || checking()} onClick={introspect}>{checking() ? 'Checking…' : 'Introspect'}</button>
            <button type="button" class="btn btn-danger" disabled={!token().trim()} onClick={() => setConfirmRevoke(true)}>Revoke</button>
          </div>
          <Show when={checkError()}><ErrorBox error={checkError()} title="The server refused" /></Show>
          <Show when={introspection()}>
            {(r) => (
              <section class="result" aria-label="Introspection">
                <h3>
                  Introspection{' '}
                  <Badge tone={r().active ? 'ok' : 'bad'}>{r().active ? 'active' : 'inactive'}</Badge>{' '}
                  <Show when={!r().active && 'reason' in r() && r().reason}>
                    <span class="sub">{String(r().reason)}</span>
                  </Show>
                </h3>
                <pre class="json">{pretty(r())}</pre>
              </section>
            )}
          </Show>
          <Show when={token().trim()}>{(t) => <DecodedToken token={t()} />}</Show>
        </Card>
      </div>

      <Show when={confirmRevoke()}>
        <ConfirmDialog
          title="Revoke this token?"
          message={<p>It stops working everywhere at once. A refresh token takes the access tokens of its family with it.</p>}
          confirmLabel="Revoke token"
          danger
          onClose={() => setConfirmRevoke(false)}
          onConfirm={async () => {
            await act(trpc.tokens.revoke.mutate({ token: token().trim() }));
            notify('Token revoked');
            await introspect();
          }}
        />
      </Show>
    </>
  );
}

function DecodedToken(props: { token: string }) {
  const result = createMemo(() => {
    try {
      return { decoded: decodeJwt(props.token), error: undefined };
    } catch (error) {
      return { decoded: undefined, error: (error as Error).message };
    }
  });
  return (
    <Show when={result().decoded} fallback={<p class="sub">{result().error} A refresh token is not a JWT: introspect it instead.</p>}>
      {(d) => (
        <section class="result" aria-label="Decoded token">
          <h3>Decoded <span class="sub">(not verified: introspection verifies)</span></h3>
          <div class="decoded">
            <pre class="json">{pretty(d().header)}</pre>
            <pre class="json">{pretty(d().payload)}</pre>
          </div>
          <Details
            items={TIME_CLAIMS.filter((c) => typeof d().payload[c] === 'number').map((c): [string, string] => [
              c,
              formatDate(new Date((d().payload[c] as number) * 1000).toISOString()),
            ])}
          />
        </section>
      )}
    </Show>
  );
}
