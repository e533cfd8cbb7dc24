import type autocannon from 'autocannon';
import { FORM, form } from './load.ts';
import type { BenchClient } from './machineauth.ts';

/** client_credentials (client_secret_post), cycling over every agent. */
export function clientCredentialsRequests(clients: BenchClient[]): autocannon.Request[] {
  return clients.map((c) => ({
    method: 'POST',
    path: '/oauth/token',
    headers: FORM,
    body: form({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret }),
  }));
}

/**
 * The refresh grant. Every refresh token works once, so each request takes a fresh one from a
 * shared queue and each answer puts its successor back: the pool stays as large as it started
 * (minus failures, which the figures show as non-2xx anyway).
 */
export function refreshRequests(initial: string[]): { requests: autocannon.Request[]; remaining: () => number } {
  const queue = [...initial];
  let head = 0;
  const take = () => {
    if (head >= queue.length) return 'pool-exhausted';
    const token = queue[head++];
    // Keep the array from growing without bound over a long run.
    if (head > 10_000) {
      queue.splice(0, head);
      head = 0;
    }
    return token;
  };
  const requests: autocannon.Request[] = [{
    method: 'POST',
    path: '/oauth/token',
    headers: FORM,
    setupRequest: (request) => ({ ...request, body: form({ grant_type: 'refresh_token', refresh_token: take() }) }),
    onResponse: (status, body) => {
      if (status === 200) queue.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
    },
  }];
  return { requests, remaining: () => queue.length - head };
}

export function introspectRequests(accessTokens: string[]): autocannon.Request[] {
  return accessTokens.map((token) => ({ method: 'POST', path: '/oauth/introspect', headers: FORM, body: form({ token }) }));
}

export function verifyRequests(accessTokens: string[]): autocannon.Request[] {
  return accessTokens.map((token) => ({ method: 'GET', path: '/api/verify', headers: { authorization: `Bearer ${token}` } }));
}

export const jwksRequests: autocannon.Request[] = [{ method: 'GET', path: '/.well-known/jwks.json' }];
