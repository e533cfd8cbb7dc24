import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where the server may send requests on a user's behalf (webhook URLs). In production only
 * https to globally routable unicast addresses; in development anything http(s), so a local
 * receiver on 127.0.0.1 works.
 */
export interface DestinationPolicy {
  production: boolean;
}

/** A URL or address the policy refuses. Permanent: retrying cannot make it acceptable. */
export class DestinationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DestinationRefused';
  }
}

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** The URL's host without IPv6 brackets, as DNS and net.connect want it. */
export function bareHostname(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Only plain global unicast. Loopback, private, link-local, unique-local, multicast, CGNAT,
 * documentation, reserved and unspecified ranges are refused, and so are the IPv6 forms that
 * embed or tunnel to an IPv4 address (mapped, NAT64, 6to4, Teredo) unless that IPv4 is public.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return ip.range() === 'unicast';
}

/**
 * The URL's form: http or https with a host and no embedded credentials; in production https
 * only and never an IP literal or a name that is always local. Returns the parsed URL.
 */
export function checkWebhookUrl(raw: string, policy: DestinationPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DestinationRefused('url is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new DestinationRefused('url must use http or https');
  if (!url.hostname) throw new DestinationRefused('url must have a host');
  // Credentials in a URL end up in listings and logs; the signature is the authentication.
  if (url.username || url.password) throw new DestinationRefused('url must not contain credentials');
  if (!policy.production) return url;
  if (url.protocol !== 'https:') throw new DestinationRefused('url must use https in production');
  const host = bareHostname(url).toLowerCase().replace(/\.$/, '');
  if (net.isIP(host) && !isPublicAddress(host)) throw new DestinationRefused('url must not point to a loopback, private, link-local or multicast address');
  if (host === 'localhost' || host.endsWith('.localhost')) throw new DestinationRefused('url must not point to localhost');
  return url;
}

/**
 * Resolves the URL's host and checks every address it resolves to. The caller connects to
 * exactly these addresses (see `pinnedLookup`), so a DNS answer that changes between this
 * check and the connection (rebinding) cannot reach the inside.
 */
export async function resolveDestination(url: URL, policy: DestinationPolicy, resolve: Resolver = systemResolver): Promise<LookupAddress[]> {
  checkWebhookUrl(url.href, policy);
  const host = bareHostname(url);
  const family = net.isIP(host);
  const addresses = family ? [{ address: host, family }] : await resolve(host);
  if (addresses.length === 0) throw new Error(`${host} did not resolve to any address`);
  if (policy.production) {
    const refused = addresses.find((a) => !isPublicAddress(a.address));
    if (refused) throw new DestinationRefused(`${host} resolves to ${refused.address}, which is not a public address`);
  }
  return addresses;
}

/**
 * At creation: refuses a URL whose form or current DNS answer the policy forbids. A name that
 * does not resolve (yet) is accepted; delivery checks again on every attempt.
 */
export async function assertDestinationAllowed(raw: string, policy: DestinationPolicy, resolve: Resolver = systemResolver): Promise<URL> {
  const url = checkWebhookUrl(raw, policy);
  try {
    await resolveDestination(url, policy, resolve);
  } catch (error) {
    if (error instanceof DestinationRefused) throw error;
  }
  return url;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for node:http(s)/net that answers only with already-checked addresses. */
export function pinnedLookup(addresses: LookupAddress[]) {
  return (_hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback) => {
    const wanted = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
    const usable = wanted ? addresses.filter((a) => a.family === wanted) : addresses;
    if (usable.length === 0) {
      const error: NodeJS.ErrnoException = new Error('no checked address of the requested family');
      error.code = 'ENOTFOUND';
      return callback(error, '');
    }
    if (options.all) return callback(null, usable);
    callback(null, usable[0].address, usable[0].family);
  };
}
