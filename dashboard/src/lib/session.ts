import { createSignal } from 'solid-js';
import { requestJson, sessionLostListeners } from './http.ts';

export interface Session {
  email: string;
  csrfToken: string;
}

interface SessionJson {
  authenticated: boolean;
  email?: string;
  csrf_token?: string;
  expires_at?: string;
}

let expiryTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Ends the session on the page when the server's does. Once the cookie has expired the browser
 * stops sending it, and an admin route would answer with a Basic challenge the browser turns
 * into a password prompt; the login page is the better answer.
 */
function scheduleExpiry(expiresAt: string | undefined) {
  clearTimeout(expiryTimer);
  const ms = expiresAt ? new Date(expiresAt).getTime() - Date.now() : NaN;
  if (!Number.isFinite(ms)) return;
  // setTimeout holds at most ~24.8 days; sessions are far shorter.
  expiryTimer = setTimeout(() => {
    setExpired(true);
    setSession(null);
  }, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
}

/** `undefined` while the first check runs, `null` when logged out. */
const [session, setSession] = createSignal<Session | null | undefined>(undefined);
const [expired, setExpired] = createSignal(false);
export { session, expired };

/**
 * The cookie is HttpOnly, so the page never sees the session itself; it keeps only the CSRF
 * token the server pairs with it, which every state-changing request must echo in a header.
 */
export function csrfToken(): string {
  return session()?.csrfToken ?? '';
}

sessionLostListeners.add(() => {
  if (session()) setExpired(true);
  setSession(null);
});

export async function loadSession(): Promise<void> {
  try {
    const s = await requestJson<SessionJson>('/api/auth/session');
    setSession(s.authenticated && s.email && s.csrf_token ? { email: s.email, csrfToken: s.csrf_token } : null);
    scheduleExpiry(s.authenticated ? s.expires_at : undefined);
  } catch {
    setSession(null);
  }
}

export async function login(email: string, password: string): Promise<void> {
  const s = await requestJson<{ email: string; csrf_token: string; expires_at: string }>('/api/auth/login', { method: 'POST', json: { email, password } });
  scheduleExpiry(s.expires_at);
  setExpired(false);
  setSession({ email: s.email, csrfToken: s.csrf_token });
}

export async function logout(): Promise<void> {
  try {
    await requestJson('/api/auth/logout', { method: 'POST', headers: { 'x-csrf-token': csrfToken() } });
  } finally {
    clearTimeout(expiryTimer);
    setExpired(false);
    setSession(null);
  }
}
