/**
 * `npm run bench`: MachineAuth's endpoints under load, side by side with the physical limit (a
 * bare node:http signer) and the peer (oidc-provider), measured in the same run on this machine.
 * See BENCHMARKS.md for the flags and the latest figures.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { load, type Figures, type LoadOptions } from './lib/load.ts';
import {
  createAgents, freePort, getToken, mintTokens, startMachineAuth, tokensIssued,
  type Algorithm, type BenchClient, type MachineAuth,
} from './lib/machineauth.ts';
import { childByCommand, rssMiB, startChild, type Child } from './lib/processes.ts';
import { FIGURES_HEADER, figuresRow, fmt, table } from './lib/report.ts';
import { seedScale, startBenchPostgres, tableSizes } from './lib/scale.ts';
import {
  clientCredentialsRequests, introspectRequests, jwksRequests, refreshRequests, verifyRequests,
} from './lib/scenarios.ts';
import { summarizeProfiles } from './lib/profile.ts';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '15' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    agents: { type: 'string', default: '100' },
    algorithms: { type: 'string' },
    only: { type: 'string' },
    'no-references': { type: 'boolean', default: false },
    scale: { type: 'boolean', default: false },
    'scale-agents': { type: 'string', default: '100000' },
    'scale-tokens': { type: 'string', default: '1000000' },
    soak: { type: 'string' },
    profile: { type: 'boolean', default: false },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (flags.help) {
  console.log(`npm run bench -- [flags]
  --duration <s>        measured seconds per endpoint (15)
  --warmup <s>          warm-up seconds before each measurement (3)
  --connections <n>     concurrent connections (50)
  --agents <n>          agents the load cycles over (100)
  --algorithms <list>   signing algorithms for client_credentials (RS256,ES256,EdDSA;
                        --scale and --soak use the first, default ES256: the most DB-bound)
  --only <list>         subset of: token,refresh,introspect,verify,jwks
  --no-references       skip the bare signer and oidc-provider
  --scale               also seed 100,000 agents and 1,000,000 tokens and compare
  --soak <minutes>      a long mixed load, sampling the server's RSS
  --profile             run MachineAuth under --cpu-prof and summarize where the time goes
  --json <file>         also write the figures as JSON
  --keep                keep the temporary directory (logs, profiles)`);
  process.exit(0);
}

const options: LoadOptions = { duration: Number(flags.duration), warmup: Number(flags.warmup), connections: Number(flags.connections) };
const agentCount = Number(flags.agents);
const algorithms = (flags.algorithms ?? (flags.scale || flags.soak ? 'ES256' : 'RS256,ES256,EdDSA')).split(',').map((a) => a.trim()) as Algorithm[];
const only = new Set((flags.only ?? 'token,refresh,introspect,verify,jwks').split(',').map((s) => s.trim()));
const withReferences = !flags['no-references'];
const HERE = path.dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(path.join(os.tmpdir(), 'machineauth-bench-'));
// Run as root, the embedded PostgreSQL drops to a `postgres` user, which must reach its directory.
chmodSync(root, 0o755);
const adminPassword = randomBytes(18).toString('base64url');
const children = new Set<Child>();
const say = (line: string) => console.log(`[bench] ${line}`);

const results = new Map<string, Figures>();
/** The PostgreSQL the bench started itself (--scale), whose CPU is then counted separately. */
let dbPid: number | undefined;
const durability: string[] = [];
const notes: string[] = [];

function record(key: string, label: string, f: Figures) {
  results.set(key, f);
  const cpu = f.cpuMs === undefined ? '' : `, CPU ${f.cpuMs.toFixed(3)} ms/req (+ ${f.dbCpuMs!.toFixed(3)} in PostgreSQL)`;
  say(`${label}: ${fmt.rps(f.rps)} req/s, p50 ${fmt.ms(f.p50)} ms, p99 ${fmt.ms(f.p99)} ms, errors ${f.errors}, non-2xx ${f.non2xx}${cpu}`);
}

async function withChild<T>(start: () => Promise<Child>, body: (child: Child) => Promise<T>): Promise<T> {
  const child = await start();
  children.add(child);
  try {
    return await body(child);
  } finally {
    await child.stop();
    children.delete(child);
  }
}

async function startMa(algorithm: Algorithm, extra: { databaseUrl?: string; profileDir?: string } = {}) {
  const dataDir = path.join(root, 'machineauth');
  mkdirSync(dataDir, { recursive: true });
  return startMachineAuth({
    dataDir,
    algorithm,
    adminPassword,
    databaseUrl: extra.databaseUrl,
    nodeArgs: extra.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${extra.profileDir}`] : [],
  });
}

async function startReference(kind: 'bare' | 'peer', algorithm: Algorithm, clientsFile: string): Promise<Child> {
  const port = await freePort();
  return startChild({
    name: kind === 'bare' ? `bare signer ${algorithm}` : `oidc-provider ${algorithm}`,
    entry: path.join(HERE, kind === 'bare' ? 'bare-signer.ts' : 'oidc-peer.ts'),
    args: [String(port), algorithm, clientsFile],
    port,
    cwd: root,
    logFile: path.join(root, `${kind}-${algorithm}.log`),
    env: { NODE_ENV: 'production' },
    readyPath: '/ready-probe',
  });
}

/** Client credentials against MachineAuth, checking that every answered token was recorded. */
async function measureIssuance(server: MachineAuth, clients: BenchClient[], key: string, label: string) {
  const before = await tokensIssued(server);
  const f = await load(server.url, clientCredentialsRequests(clients), options, { server: server.pid, db: dbPid });
  await sleep(200);
  const recorded = (await tokensIssued(server)) - before;
  durability.push(`${label}: ${f.ok.toLocaleString('en-US')} tokens answered 200, ${recorded.toLocaleString('en-US')} recorded${recorded >= f.ok ? '' : '  <-- MISSING ROWS'}`);
  record(key, label, f);
}

async function measureMachineAuthEndpoints(server: MachineAuth, clients: BenchClient[], suffix = '') {
  if (only.has('refresh')) {
    const pool = await mintTokens(server.url, clients, options.connections * 4);
    const { requests, remaining } = refreshRequests(pool.map((t) => t.refresh_token));
    const before = await tokensIssued(server);
    const f = await load(server.url, requests, options, { server: server.pid, db: dbPid });
    await sleep(200);
    const recorded = (await tokensIssued(server)) - before;
    durability.push(`refresh${suffix}: ${f.ok.toLocaleString('en-US')} tokens answered 200, ${recorded.toLocaleString('en-US')} recorded${recorded >= f.ok ? '' : '  <-- MISSING ROWS'}`);
    record(`refresh${suffix}`, `refresh_token grant${suffix}`, f);
    if (remaining() < options.connections) notes.push(`refresh pool ran low (${remaining()} left)`);
  }
  const accessTokens = only.has('introspect') || only.has('verify') ? (await mintTokens(server.url, clients, clients.length)).map((t) => t.access_token) : [];
  if (only.has('introspect')) {
    const probe = await fetch(`${server.url}/oauth/introspect`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: accessTokens[0] }) });
    const answer = (await probe.json()) as { active?: boolean };
    if (!answer.active) throw new Error(`introspection of a fresh token is not active: ${JSON.stringify(answer)}`);
    record(`introspect${suffix}`, `/oauth/introspect${suffix}`, await load(server.url, introspectRequests(accessTokens), options, { server: server.pid, db: dbPid }));
  }
  if (only.has('verify')) {
    const probe = await fetch(`${server.url}/api/verify`, { headers: { authorization: `Bearer ${accessTokens[0]}` } });
    if (probe.status !== 200) throw new Error(`/api/verify of a fresh token: ${probe.status} ${await probe.text()}`);
    record(`verify${suffix}`, `/api/verify${suffix}`, await load(server.url, verifyRequests(accessTokens), options, { server: server.pid, db: dbPid }));
  }
  if (only.has('jwks')) record(`jwks${suffix}`, `/.well-known/jwks.json${suffix}`, await load(server.url, jwksRequests, options, { server: server.pid, db: dbPid }));
}

async function mainRun(): Promise<BenchClient[]> {
  let clients: BenchClient[] = [];
  const clientsFile = path.join(root, 'clients.json');
  const profileDir = flags.profile ? path.join(root, 'profiles') : undefined;
  for (const [i, algorithm] of algorithms.entries()) {
    await withChild(() => startMa(algorithm, { profileDir }), async (child) => {
      const server = child as MachineAuth;
      if (clients.length === 0) {
        clients = await createAgents(server, agentCount);
        writeFileSync(clientsFile, JSON.stringify(clients));
        say(`created ${clients.length} agents`);
      }
      if (only.has('token')) await measureIssuance(server, clients, `token-${algorithm}`, `client_credentials ${algorithm}`);
      if (i === 0) await measureMachineAuthEndpoints(server, clients);
    });
    if (withReferences && only.has('token')) {
      for (const kind of ['bare', 'peer'] as const) {
        await withChild(() => startReference(kind, algorithm, clientsFile), async (child) => {
          const label = `${kind === 'bare' ? 'bare signer' : 'oidc-provider'} ${algorithm}`;
          await getToken(child.url, clients[0]); // fails loudly if the reference is misconfigured
          record(`${kind}-${algorithm}`, label, await load(child.url, clientCredentialsRequests(clients), options, { server: child.pid }));
        });
      }
    }
  }
  if (profileDir) {
    say('profile summary (MachineAuth, all runs):');
    console.log(summarizeProfiles(readdirSync(profileDir).map((f) => path.join(profileDir, f))));
  }
  return clients;
}

async function scaleRun() {
  const pgDir = path.join(root, 'scale-pg');
  const pg = await startBenchPostgres(pgDir);
  dbPid = childByCommand(process.pid, 'postgres');
  try {
    const algorithm = algorithms[0];
    let clients: BenchClient[] = [];
    const measure = async (suffix: string) =>
      withChild(() => startMa(algorithm, { databaseUrl: pg.url }), async (child) => {
        const server = child as MachineAuth;
        if (clients.length === 0) clients = await createAgents(server, agentCount);
        await measureIssuance(server, clients, `token-${algorithm}${suffix}`, `client_credentials ${algorithm}${suffix}`);
        const tokens = (await mintTokens(server.url, clients, clients.length)).map((t) => t.access_token);
        record(`introspect${suffix}`, `/oauth/introspect${suffix}`, await load(server.url, introspectRequests(tokens), options, { server: server.pid, db: dbPid }));
        record(`verify${suffix}`, `/api/verify${suffix}`, await load(server.url, verifyRequests(tokens), options, { server: server.pid, db: dbPid }));
      });
    await measure(' (small db)');
    say(`small database: ${JSON.stringify(await tableSizes(pg.url))}`);
    say('seeding the large database...');
    await seedScale(pg.url, Number(flags['scale-agents']), Number(flags['scale-tokens']), say);
    say(`large database: ${JSON.stringify(await tableSizes(pg.url))}`);
    await measure(' (large db)');
    return algorithm;
  } finally {
    await pg.stop();
  }
}

async function soakRun(minutes: number) {
  const samples: { t: number; rss: number }[] = [];
  await withChild(() => startMa(algorithms[0]), async (child) => {
    const server = child as MachineAuth;
    const clients = await createAgents(server, agentCount);
    const tokens = (await mintTokens(server.url, clients, clients.length)).map((t) => t.access_token);
    const started = Date.now();
    const timer = setInterval(() => {
      const rss = rssMiB(server.pid);
      if (rss !== undefined) samples.push({ t: (Date.now() - started) / 1000, rss });
    }, 5000);
    try {
      const mixed = [...clientCredentialsRequests(clients), ...introspectRequests(tokens), ...verifyRequests(tokens)];
      record('soak', `soak ${minutes} min (token + introspect + verify)`, await load(server.url, mixed, { ...options, warmup: 0, duration: minutes * 60 }, { server: server.pid, db: dbPid }));
    } finally {
      clearInterval(timer);
    }
  });
  return samples;
}

function targets(): (string | number)[][] {
  const rows: (string | number)[][] = [];
  const check = (what: string, target: string, value: number | undefined, ok: (v: number) => boolean, show: (v: number) => string) => {
    if (value === undefined || !Number.isFinite(value)) return;
    rows.push([what, target, show(value), ok(value) ? 'PASS' : 'FAIL']);
  };
  for (const alg of algorithms) {
    const ours = results.get(`token-${alg}`)?.rps;
    const peer = results.get(`peer-${alg}`)?.rps;
    const bare = results.get(`bare-${alg}`)?.rps;
    const [vsPeer, vsBare] = alg === 'RS256' ? [1.3, 0.8] : [2, 0.6];
    if (ours !== undefined && peer) check(`client_credentials ${alg} vs oidc-provider`, `≥ ${vsPeer}×`, ours / peer, (v) => v >= vsPeer, fmt.ratio);
    if (ours !== undefined && bare) check(`client_credentials ${alg} vs bare signer`, `≥ ${vsBare}×`, ours / bare, (v) => v >= vsBare, fmt.ratio);
  }
  const rs = results.get('token-RS256')?.rps;
  for (const key of ['introspect', 'verify']) {
    const f = results.get(key);
    if (f && rs) check(`${key === 'introspect' ? '/oauth/introspect' : '/api/verify'} vs token RS256`, '≥ 3×', f.rps / rs, (v) => v >= 3, fmt.ratio);
  }
  for (const [key, f] of results) {
    if (key.startsWith('bare-') || key.startsWith('peer-')) continue;
    check(`${key} p99`, '< 100 ms', f.p99, (v) => v < 100, (v) => `${fmt.ms(v)} ms`);
    check(`${key} errors + non-2xx`, '0', f.errors + f.non2xx, (v) => v === 0, String);
  }
  return rows;
}

async function main() {
  say(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  say(`${options.connections} connections, ${options.warmup} s warm-up + ${options.duration} s per endpoint; work dir ${root}`);
  let soakSamples: { t: number; rss: number }[] | undefined;
  if (flags.soak) {
    soakSamples = await soakRun(Number(flags.soak));
  } else if (flags.scale) {
    await scaleRun();
  } else {
    await mainRun();
  }

  console.log('\n## Figures\n');
  console.log(table(FIGURES_HEADER, [...results].map(([, f], i) => figuresRow([...results.keys()][i], f))));
  if (results.size && !flags.soak && !flags.scale) {
    console.log('\n## Ratios\n');
    const rows: (string | number)[][] = [];
    for (const alg of algorithms) {
      const ours = results.get(`token-${alg}`)?.rps;
      const bare = results.get(`bare-${alg}`)?.rps;
      const peer = results.get(`peer-${alg}`)?.rps;
      if (ours !== undefined) rows.push([`client_credentials ${alg}`, bare ? fmt.ratio(ours / bare) : '-', peer ? fmt.ratio(ours / peer) : '-']);
    }
    console.log(table(['MachineAuth', 'vs bare signer', 'vs oidc-provider'], rows));
    console.log('\n## Targets\n');
    console.log(table(['target', 'goal', 'measured', 'result'], targets()));
  }
  if (flags.scale) {
    console.log('\n## Scale (large database vs small)\n');
    const rows: (string | number)[][] = [];
    for (const key of [...results.keys()].filter((k) => k.endsWith(' (small db)'))) {
      const base = key.replace(' (small db)', '');
      const small = results.get(key)!;
      const large = results.get(`${base} (large db)`);
      if (!large) continue;
      const change = large.rps / small.rps - 1;
      rows.push([base, fmt.rps(small.rps), fmt.rps(large.rps), `${(change * 100).toFixed(1)}%`, change >= -0.15 ? 'PASS' : 'FAIL']);
    }
    console.log(table(['endpoint', 'small db req/s', 'large db req/s', 'change', 'within 15%'], rows));
  }
  if (soakSamples) {
    console.log('\n## Memory (server RSS, MiB)\n');
    const rows = soakSamples.filter((_, i) => i % 6 === 0 || i === soakSamples!.length - 1).map((s) => [`${Math.round(s.t)} s`, s.rss.toFixed(1)]);
    console.log(table(['time', 'RSS MiB'], rows));
    // RSS swings with every old-space collection; a leak shows as a rising floor (the RSS right
    // after collections), so the verdict compares each fifth of the run by its lowest sample.
    const fifths = Array.from({ length: 5 }, (_, k) => soakSamples!.slice(Math.floor((k * soakSamples!.length) / 5), Math.floor(((k + 1) * soakSamples!.length) / 5)).map((s) => s.rss));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(`\n${table(['fifth of the run', 'floor MiB', 'median MiB', 'peak MiB'], fifths.filter((f) => f.length).map((f, k) => [`${k + 1}`, Math.min(...f).toFixed(1), median(f).toFixed(1), Math.max(...f).toFixed(1)]))}`);
    if (fifths.some((f) => f.length === 0)) {
      console.log('\ntoo short for a verdict on memory (run --soak for a few minutes)');
    } else {
      const early = Math.min(...fifths[1]);
      const late = Math.min(...fifths[4]);
      const growth = late / early - 1;
      console.log(`\nRSS floor, second fifth ${early.toFixed(1)} MiB, last fifth ${late.toFixed(1)} MiB (${(growth * 100).toFixed(1)}%): ${growth < 0.1 ? 'PASS (flat: under 10% growth)' : 'FAIL (grows)'}`);
    }
  }
  if (durability.length) console.log(`\n## Durability (answered vs recorded in the tokens_issued counter)\n\n${durability.map((d) => `- ${d}`).join('\n')}`);
  if (notes.length) console.log(`\n## Notes\n\n${notes.map((d) => `- ${d}`).join('\n')}`);
  if (flags.json) writeFileSync(flags.json, JSON.stringify({ options, results: Object.fromEntries(results), durability, soak: soakSamples }, null, 2));
}

async function cleanup() {
  for (const child of children) await child.stop(5000).catch(() => {});
  if (!flags.keep) rmSync(root, { recursive: true, force: true });
  else say(`kept ${root}`);
}

process.on('SIGINT', () => void cleanup().finally(() => process.exit(130)));
main()
  .then(cleanup)
  .catch(async (error) => {
    console.error('[bench] failed:', error instanceof Error ? error.message : error);
    await cleanup();
    process.exit(1);
  });
