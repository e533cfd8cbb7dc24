import { it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp } from '../../api/test/helpers.ts';
it('probe', async () => {
  const app = await startTestApp();
  const login = await app.request('/api/auth/login', { method: 'POST', json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const { csrf_token } = await login.json();
  const ctl = AbortSignal.timeout(5000);
  try {
    const r = await app.request('/graphql', { method: 'POST', signal: ctl, headers: { cookie, 'x-csrf-token': csrf_token, 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' }, body: JSON.stringify({ query: '{ agents(first: 5) { totalCount } }' }) });
    console.log('cookie', r.status, await r.text());
  } catch (e) { console.log('cookie err', e); }
  try {
    const r = await app.request('/graphql', { method: 'POST', admin: true, signal: AbortSignal.timeout(5000), json: { query: '{ agents(first: 5) { totalCount } }' } });
    console.log('basic', r.status, await r.text());
  } catch (e) { console.log('basic err', e); }
  await app.close();
});
