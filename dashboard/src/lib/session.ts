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
  } catch {
    setSession(null);
  }
}

export async function login(email: string, password: string): Promise<void> {
  const s = await requestJson<{ email: string; csrf_token: string }>('/api/auth/login', { method: 'POST', json: { email, password } });
  setExpired(false);
  setSession({ email: s.email, csrfToken: s.csrf_token });
}

export async function logout(): Promise<void> {
  try {
    await requestJson('/api/auth/logout', { method: 'POST', headers: { 'x-csrf-token': csrfToken() } });
  } finally {
    setExpired(false);
    setSession(null);
  }
}
