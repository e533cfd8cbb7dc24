import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import dotenv from 'dotenv';

const DEFAULT_ADMIN_PASSWORD = 'changeme';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const csv = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

/** Every setting, from the environment (and `.env`), validated once at start-up. */
const EnvSchema = z.object({
  PORT: int(0, 65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /** Where clients reach this server (scheme://host[:port]); RFC 8414 metadata advertises it. */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')).optional(),
  ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (unset it for the embedded database)')
    .optional(),
  DATA_DIR: z.string().default('./data'),
  JWT_ISSUER: z.string().min(1).default('https://auth.example.com'),
  JWT_AUDIENCE: z.string().min(1).default('machineauth-api'),
  JWT_SIGNING_ALGORITHM: z.enum(['RS256', 'ES256', 'EdDSA']).default('RS256'),
  JWT_KEY_ID: z.string().min(1).max(200).default('key-1'),
  JWT_ACCESS_TOKEN_EXPIRY: int(10, 31_536_000).optional(),
  REFRESH_TOKEN_EXPIRY: int(60, 31_536_000).default(604_800),
  ALLOWED_ORIGINS: csv.default(['http://localhost:3000']),
  REQUIRE_HTTPS: bool.default(false),
  TRUST_PROXY: bool.default(false),
  ADMIN_EMAIL: z.string().min(1).default('admin@example.com'),
  ADMIN_PASSWORD: z.string().min(1).default(DEFAULT_ADMIN_PASSWORD),
  MASTER_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/_-]{43}=?$/, 'must be 32 random bytes, base64 encoded')
    .optional(),
  WEBHOOK_WORKER_COUNT: int(1, 100).default(3),
  WEBHOOK_MAX_RETRIES: int(0, 100).default(10),
  WEBHOOK_TIMEOUT_SECS: z.coerce.number().positive().max(300).default(10),
  /** Lets tests shorten the exponential backoff: delay = base ^ attempt * unit. */
  WEBHOOK_BACKOFF_UNIT_MS: int(1, 60_000).default(1000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAX_BODY_BYTES: int(1024, 10 * 1024 * 1024).default(64 * 1024),
  DB_POOL_SIZE: int(1, 200).default(10),
});

export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {}

/**
 * Reads the configuration. `.env` in the working directory fills in what the environment
 * leaves unset; an invalid value stops start-up with a message naming the variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, options: { dotenv?: boolean } = {}) {
  let source = { ...env };
  if (options.dotenv !== false && existsSync('.env')) {
    const parsed = dotenv.parse(readFileSync('.env', 'utf8'));
    source = { ...parsed, ...source };
  }
  // Empty strings mean "unset", as in most shells' `VAR= cmd`.
  for (const key of Object.keys(source)) if (source[key] === '') delete source[key];

  const result = EnvSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = result.data;
  const production = e.ENV === 'production';
  if (production && e.ADMIN_PASSWORD === DEFAULT_ADMIN_PASSWORD) {
    throw new ConfigError('invalid configuration:\n  ADMIN_PASSWORD: the default password is refused when ENV=production');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL,
    env: e.ENV,
    production,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    jwt: {
      issuer: e.JWT_ISSUER,
      audience: e.JWT_AUDIENCE,
      algorithm: e.JWT_SIGNING_ALGORITHM,
      keyId: e.JWT_KEY_ID,
      // The seed's rule: one hour in production, a day in development, unless set.
      accessTokenTtl: e.JWT_ACCESS_TOKEN_EXPIRY ?? (production ? 3600 : 86_400),
      refreshTokenTtl: e.REFRESH_TOKEN_EXPIRY,
    },
    allowedOrigins: e.ALLOWED_ORIGINS,
    requireHttps: e.REQUIRE_HTTPS,
    trustProxy: e.TRUST_PROXY,
    admin: { email: e.ADMIN_EMAIL, password: e.ADMIN_PASSWORD },
    masterKey: e.MASTER_KEY,
    webhooks: {
      workerCount: e.WEBHOOK_WORKER_COUNT,
      maxRetries: e.WEBHOOK_MAX_RETRIES,
      timeoutMs: Math.round(e.WEBHOOK_TIMEOUT_SECS * 1000),
      backoffUnitMs: e.WEBHOOK_BACKOFF_UNIT_MS,
    },
    logLevel: e.LOG_LEVEL,
    maxBodyBytes: e.MAX_BODY_BYTES,
    dbPoolSize: e.DB_POOL_SIZE,
  };
}

