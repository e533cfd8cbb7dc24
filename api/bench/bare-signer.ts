/**
 * The physical limit: a bare node:http server that does only what a token endpoint cannot skip.
 * It parses the form, checks the client secret in constant time against a SHA-256 digest, and
 * signs the same claims as MachineAuth with node:crypto on a KeyObject built once. It stores
 * nothing. Usage: bare-signer.ts <port> <RS256|ES256|EdDSA> <clients.json> [sync|async]
 * async is node:crypto's callback form, which signs on libuv's thread pool. The default is what
 * measured fastest here, and what MachineAuth does: RSA (slow to sign) on the pool, the curves
 * inline (cheaper than the hop to a thread).
 */
import http from 'node:http';
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, timingSafeEqual, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BenchClient } from './lib/machineauth.ts';

const [port, alg, clientsFile, mode = alg === 'RS256' ? 'async' : 'sync'] = process.argv.slice(2);
const clients = new Map<string, BenchClient & { digest: Buffer }>();
for (const c of JSON.parse(readFileSync(clientsFile, 'utf8')) as BenchClient[]) {
  clients.set(c.clientId, { ...c, digest: createHash('sha256').update(c.clientSecret).digest() });
}
const noSuchClient = createHash('sha256').update('no such client').digest();

const { privateKey } =
  alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 })
  : alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
  : generateKeyPairSync('ed25519');
const header = Buffer.from(JSON.stringify({ alg, typ: 'JWT', kid: 'bare-1' })).toString('base64url');
const digestName = alg === 'EdDSA' ? null : 'sha256';
const keyInput = (key: KeyObject) => (alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key);
const signer = (data: Buffer, key: KeyObject, done: (signature: Buffer) => void) => {
  if (mode === 'async') sign(digestName, data, keyInput(key), (error, signature) => (error ? process.exit(1) : done(signature)));
  else done(sign(digestName, data, keyInput(key)));
};

function reply(res: http.ServerResponse, status: number, body: unknown) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'cache-control': 'no-store' });
  res.end(payload);
}

http
  .createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/oauth/token') return reply(res, 404, { error: 'not_found' });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (params.get('grant_type') !== 'client_credentials') return reply(res, 400, { error: 'unsupported_grant_type' });
      const client = clients.get(params.get('client_id') ?? '');
      const presented = createHash('sha256').update(params.get('client_secret') ?? '').digest();
      if (!timingSafeEqual(presented, client?.digest ?? noSuchClient) || !client) return reply(res, 401, { error: 'invalid_client' });
      const iat = Math.floor(Date.now() / 1000);
      const claims = {
        iss: 'https://auth.example.com',
        sub: client.clientId,
        agent_id: client.agentId,
        org_id: '',
        team_id: '',
        aud: 'machineauth-api',
        iat,
        exp: iat + 3600,
        scope: client.scopes,
        jti: randomUUID(),
        client_id: client.clientId,
      };
      const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      signer(Buffer.from(input), privateKey, (signature) =>
        reply(res, 200, {
          access_token: `${input}.${signature.toString('base64url')}`,
          token_type: 'Bearer',
          expires_in: 3600,
          scope: client.scopes.join(' '),
          issued_at: iat,
          refresh_token: randomBytes(32).toString('base64url'),
        }),
      );
    });
  })
  .listen(Number(port), '127.0.0.1');

process.on('SIGTERM', () => process.exit(0));
