import { createSignal, Show } from 'solid-js';
import { describeError } from '../lib/http.ts';
import { expired, login } from '../lib/session.ts';

/** Only paths inside the dashboard are followed after login, never another site. */
export function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

export default function LoginPage() {
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);

  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      // The login route's gate takes the visitor on once the session is set.
      await login(email().trim(), password());
    } catch (err) {
      setError(describeError(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="login-page">
      <form class="login-card" onSubmit={submit} aria-label="Log in">
        <div class="login-brand">
          <img src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width="40" height="40" />
          <div>
            <h1>MachineAuth</h1>
            <p>OAuth 2.0 for AI agents · administration</p>
          </div>
        </div>
        <Show when={expired() && !error()}>
          <div class="alert alert-info" role="status">Your session has ended. Please log in again.</div>
        </Show>
        <Show when={error()}>
          <div class="alert alert-error" role="alert">{error()}</div>
        </Show>
        <label class="field">
          <span class="field-label">Email</span>
          <input name="email" type="email" autocomplete="username" required value={email()} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">Password</span>
          <input name="password" type="password" autocomplete="current-password" required value={password()} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <button type="submit" class="btn btn-primary btn-block" disabled={busy()}>{busy() ? 'Logging in…' : 'Log in'}</button>
        <p class="login-hint">Use the administrator set by ADMIN_EMAIL and ADMIN_PASSWORD.</p>
      </form>
    </div>
  );
}
