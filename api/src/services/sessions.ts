import { and, eq, gt, lt } from 'drizzle-orm';
import type { Config } from '../config.ts';
import type { Database } from '../db/index.ts';
import { adminSessions } from '../db/schema.ts';
import { Unauthorized } from '../errors.ts';
import { digest, randomSecret, safeEqual } from '../lib/secrets.ts';

const SESSION_TTL_MS = 12 * 3600 * 1000;

/** Dashboard log-in sessions: a random cookie token whose digest is the row's key. */
export class SessionService {
  constructor(private readonly db: Database, private readonly admin: Config['admin']) {}

  async login(email: string, password: string): Promise<{ token: string; csrfToken: string; email: string; expiresAt: Date }> {
    const emailOk = safeEqual(email, this.admin.email);
    const passwordOk = safeEqual(password, this.admin.password);
    if (!emailOk || !passwordOk) throw new Unauthorized('invalid email or password', { challenge: false });
    const token = randomSecret();
    const csrfToken = randomSecret();
    const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
    await this.db.delete(adminSessions).where(lt(adminSessions.expiresAt, new Date()));
    await this.db.insert(adminSessions).values({ tokenHash: digest(token), csrfToken, email: this.admin.email, expiresAt });
    return { token, csrfToken, email: this.admin.email, expiresAt };
  }

  async lookup(token: string): Promise<{ email: string; csrfToken: string; expiresAt: Date } | undefined> {
    if (token.length > 100) return undefined;
    const [row] = await this.db
      .select()
      .from(adminSessions)
      .where(and(eq(adminSessions.tokenHash, digest(token)), gt(adminSessions.expiresAt, new Date())));
    return row ? { email: row.email, csrfToken: row.csrfToken, expiresAt: row.expiresAt } : undefined;
  }

  async logout(token: string): Promise<void> {
    await this.db.delete(adminSessions).where(eq(adminSessions.tokenHash, digest(token)));
  }
}
