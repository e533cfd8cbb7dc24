import { createPrivateKey, createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { desc, eq, isNull, sql } from 'drizzle-orm';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Database } from '../db/index.ts';
import { signingKeys } from '../db/schema.ts';
import type { SecretBox } from '../lib/secrets.ts';
import { randomSecret } from '../lib/secrets.ts';
import { systemContext, type RequestContext } from './context.ts';
import { recordEvents } from './events.ts';

export type SigningAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

interface LoadedKey {
  kid: string;
  alg: SigningAlgorithm;
  publicKey: KeyObject;
  privateKey?: KeyObject;
  publicJwk: JWK;
  /** base64url of the JOSE header, built once per key. */
  encodedHeader: string;
  retiredAt: Date | null;
  publishedUntil: Date | null;
}

export class TokenSignatureError extends Error {}

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/**
 * Node's signer needs per-algorithm options; RFC 7518 wants raw r||s for ECDSA. An RSA signature
 * costs ~0.25 ms of CPU, so it is made on libuv's thread pool (the callback form) while the event
 * loop goes on serving; the curves sign in a few microseconds, less than the hop to a thread.
 */
function signBytes(alg: SigningAlgorithm, data: Buffer, key: KeyObject): Buffer | Promise<Buffer> {
  if (alg === 'EdDSA') return cryptoSign(null, data, key);
  if (alg === 'ES256') return cryptoSign('sha256', data, { key, dsaEncoding: 'ieee-p1363' });
  return new Promise((resolve, reject) => cryptoSign('sha256', data, key, (error, signature) => (error ? reject(error) : resolve(signature))));
}
function verifyBytes(alg: SigningAlgorithm, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  if (alg === 'EdDSA') return cryptoVerify(null, data, key, signature);
  if (alg === 'ES256') return cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  return cryptoVerify('sha256', data, key, signature);
}

/**
 * The signing keys, held in the database (private halves encrypted) so every instance and every
 * restart signs and verifies with the same set. Signing and verification use node:crypto on
 * KeyObjects built once: this is the token endpoint's hot path.
 */
export class KeyService {
  private keys = new Map<string, LoadedKey>();
  private active!: LoadedKey;
  private lastReload = 0;

  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    private readonly options: { algorithm: SigningAlgorithm; preferredKid: string; maxTokenLifetimeSecs: () => Promise<number> },
  ) {}

  /** Loads every key; creates the first one (or one for a newly chosen algorithm). */
  async init(): Promise<void> {
    await this.reload();
    if (!this.active || this.active.alg !== this.options.algorithm) await this.rotate({ onlyIfNeeded: true });
  }

  async reload(): Promise<void> {
    const rows = await this.db.select().from(signingKeys).orderBy(desc(signingKeys.createdAt));
    const keys = new Map<string, LoadedKey>();
    let active: LoadedKey | undefined;
    for (const row of rows) {
      const alg = row.algorithm as SigningAlgorithm;
      const publicJwk = row.publicJwk as JWK;
      const key: LoadedKey = {
        kid: row.kid,
        alg,
        publicJwk,
        publicKey: createPublicKey({ key: publicJwk as never, format: 'jwk' }),
        encodedHeader: b64(JSON.stringify({ alg, typ: 'JWT', kid: row.kid })),
        retiredAt: row.retiredAt,
        publishedUntil: row.publishedUntil,
      };
      if (!row.retiredAt && !active) {
        let privateJwk: string;
        try {
          privateJwk = this.box.open(row.privateKeyEncrypted);
        } catch {
          // The usual cause: a new DATA_DIR (so a new generated master.key) on an existing database.
          throw new Error(`cannot decrypt signing key "${row.kid}": MASTER_KEY (or DATA_DIR/master.key) is not the key it was encrypted with`);
        }
        key.privateKey = createPrivateKey({ key: JSON.parse(privateJwk), format: 'jwk' });
        active = key;
      }
      keys.set(row.kid, key);
    }
    this.keys = keys;
    if (active) this.active = active;
    this.lastReload = Date.now();
  }

  /**
   * Makes a new key the signer. Older keys stop signing but stay published until every token
   * they signed has expired, so verifiers never meet an unknown kid for a live token.
   * `onlyIfNeeded` (start-up): keep the current signer if another instance just made a fitting one.
   */
  async rotate(options: { onlyIfNeeded?: boolean; ctx?: RequestContext } = {}): Promise<{ kid: string; alg: SigningAlgorithm }> {
    const alg = this.options.algorithm;
    const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
    const privateJwk = await exportJWK(privateKey);
    const { d, p, q, dp, dq, qi, ...publicJwk } = privateJwk;
    void d; void p; void q; void dp; void dq; void qi;
    const lifetime = await this.options.maxTokenLifetimeSecs();
    const kid = await this.db.transaction(async (tx) => {
      // One rotation at a time over every instance: each then retires the key the one before made,
      // and exactly one key is left signing.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('machineauth_keys'))`);
      const current = await tx
        .select({ kid: signingKeys.kid, algorithm: signingKeys.algorithm })
        .from(signingKeys)
        .where(isNull(signingKeys.retiredAt));
      if (options.onlyIfNeeded && current.length === 1 && current[0].algorithm === alg) return current[0].kid;
      const [taken] = await tx.select({ kid: signingKeys.kid }).from(signingKeys).where(eq(signingKeys.kid, this.options.preferredKid));
      const newKid = taken ? `${this.options.preferredKid}-${new Date().toISOString().slice(0, 10)}-${randomSecret(4)}` : this.options.preferredKid;
      await tx
        .update(signingKeys)
        .set({ retiredAt: sql`now()`, publishedUntil: sql`now() + make_interval(secs => ${lifetime})` })
        .where(isNull(signingKeys.retiredAt));
      await tx.insert(signingKeys).values({
        kid: newKid,
        algorithm: alg,
        privateKeyEncrypted: this.box.seal(JSON.stringify(privateJwk)),
        publicJwk: { ...publicJwk, kid: newKid, alg, use: 'sig' },
        // The real moment, not the transaction's start: it may have waited for the lock.
        createdAt: sql`clock_timestamp()`,
      });
      await tx.execute(sql`select pg_notify('machineauth_keys', ${newKid})`);
      await recordEvents(tx, [{ action: 'signing_key.rotated', ctx: options.ctx ?? systemContext, details: { kid: newKid, alg, retired: current.map((c) => c.kid) } }]);
      return newKid;
    });
    await this.reload();
    return { kid, alg };
  }

  get activeKey() {
    return { kid: this.active.kid, alg: this.active.alg };
  }

  async sign(claims: Record<string, unknown>): Promise<string> {
    const key = this.active;
    const input = `${key.encodedHeader}.${b64(JSON.stringify(claims))}`;
    const signature = await signBytes(key.alg, Buffer.from(input), key.privateKey!);
    return `${input}.${signature.toString('base64url')}`;
  }


  /**
   * Checks the signature of one of our JWTs and returns its claims. An unknown kid triggers one
   * reload (another instance may have rotated), at most once a second.
   */
  async verify(token: string): Promise<Record<string, unknown>> {
    const parts = token.split('.');
    if (parts.length !== 3) throw new TokenSignatureError('malformed token');
    let header: { alg?: unknown; kid?: unknown };
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    } catch {
      throw new TokenSignatureError('malformed token header');
    }
    if (typeof header?.kid !== 'string') throw new TokenSignatureError('token has no kid');
    let key = this.keys.get(header.kid);
    if (!key && Date.now() - this.lastReload > 1000) {
      await this.reload();
      key = this.keys.get(header.kid);
    }
    if (!key) throw new TokenSignatureError('unknown signing key');
    if (header.alg !== key.alg) throw new TokenSignatureError('algorithm mismatch');
    const ok = verifyBytes(key.alg, Buffer.from(`${parts[0]}.${parts[1]}`), key.publicKey, Buffer.from(parts[2], 'base64url'));
    if (!ok) throw new TokenSignatureError('bad signature');
    try {
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
      if (!claims || typeof claims !== 'object' || Array.isArray(claims)) throw new Error();
      return claims;
    } catch {
      throw new TokenSignatureError('malformed token payload');
    }
  }

  /** RFC 7517 key set: the signer plus every retired key whose tokens may still be alive. */
  jwks(): { keys: JWK[] } {
    const now = Date.now();
    const keys: JWK[] = [];
    for (const key of this.keys.values()) {
      if (key.retiredAt && key.publishedUntil && key.publishedUntil.getTime() <= now) continue;
      keys.push(key.publicJwk);
    }
    return { keys };
  }

  listKeys() {
    return [...this.keys.values()].map((k) => ({
      kid: k.kid, alg: k.alg, active: k === this.active, retiredAt: k.retiredAt, publishedUntil: k.publishedUntil,
    }));
  }
}

