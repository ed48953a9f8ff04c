import dns, { type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * The one place that decides whether a webhook may be sent to an address (SSRF guard).
 *
 * Registration: `checkWebhookUrl(url, allowPrivate)` (parse, resolve, refuse if any address is forbidden).
 * Delivery: check the URL again with `checkWebhookUrl`, then connect with `createLookup({ allowPrivate })`
 * as the `lookup` of the http(s).Agent or undici's `connect.lookup`, so the address actually connected to
 * is checked too (a DNS answer that changes between the check and the connection, i.e. DNS rebinding).
 * Node skips `lookup` for IP-literal hosts, which is why the URL check must run first.
 */

/** Why a URL was refused: malformed (bad scheme, credentials), a forbidden address, or no address at all. */
export type WebhookUrlProblem = 'invalid' | 'forbidden' | 'unresolvable';

export class WebhookUrlError extends Error {
  /** Node's errno-style code, so a refused connection is recognisable in a delivery's error text. */
  readonly code = 'ERR_WEBHOOK_URL_REFUSED';

  constructor(
    readonly problem: WebhookUrlProblem,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookUrlError';
  }
}

type Rule = [network: string, prefix: number];

/** Ordered: the first category an address falls in names the reason (metadata before link-local). */
const CATEGORIES: { reason: string; ipv4: Rule[]; ipv6: Rule[] }[] = [
  {
    reason: 'cloud metadata address',
    // AWS/GCP/Azure/OpenStack, Azure wireserver, Alibaba; AWS's IPv6 instance metadata service.
    ipv4: [
      ['169.254.169.254', 32],
      ['168.63.129.16', 32],
      ['100.100.100.200', 32],
    ],
    ipv6: [['fd00:ec2::254', 128]],
  },
  { reason: 'unspecified address', ipv4: [['0.0.0.0', 8]], ipv6: [['::', 128]] },
  { reason: 'loopback address', ipv4: [['127.0.0.0', 8]], ipv6: [['::1', 128]] },
  {
    reason: 'private address',
    ipv4: [
      ['10.0.0.0', 8],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
    ],
    ipv6: [
      ['fc00::', 7],
      // Deprecated site-local, still routed internally by some networks.
      ['fec0::', 10],
      // Local-use NAT64 prefix (RFC 8215): translated inside the operator's network.
      ['64:ff9b:1::', 48],
    ],
  },
  { reason: 'link-local address', ipv4: [['169.254.0.0', 16]], ipv6: [['fe80::', 10]] },
  { reason: 'shared (CGNAT) address', ipv4: [['100.64.0.0', 10]], ipv6: [] },
  { reason: 'broadcast address', ipv4: [['255.255.255.255', 32]], ipv6: [] },
  { reason: 'multicast address', ipv4: [['224.0.0.0', 4]], ipv6: [['ff00::', 8]] },
  { reason: 'benchmarking address', ipv4: [['198.18.0.0', 15]], ipv6: [['2001:2::', 48]] },
  {
    reason: 'reserved address',
    ipv4: [
      ['240.0.0.0', 4],
      ['192.0.0.0', 24],
      ['192.0.2.0', 24],
      ['198.51.100.0', 24],
      ['203.0.113.0', 24],
    ],
    ipv6: [
      ['2001:db8::', 32],
      ['100::', 64],
    ],
  },
];

const BLOCKLISTS = CATEGORIES.map(({ reason, ipv4, ipv6 }) => {
  const list = new BlockList();
  for (const [network, prefix] of ipv4) list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of ipv6) list.addSubnet(network, prefix, 'ipv6');
  return { reason, list };
});

/** The eight 16-bit words of a valid IPv6 address (zone already removed), the dotted-quad tail included. */
function ipv6Words(ip: string): number[] {
  let text = ip;
  const tail = text.slice(text.lastIndexOf(':') + 1);
  if (tail.includes('.')) {
    const [a, b, c, d] = tail.split('.').map(Number);
    text = `${text.slice(0, text.length - tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const words = (part: string | undefined) => (part ? part.split(':').map((word) => parseInt(word, 16)) : []);
  const before = words(head);
  const after = words(rest);
  if (rest === undefined) return before;
  return [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
}

const ipv4Of = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;

/** IPv4 addresses carried inside an IPv6 one, by the translation and tunnelling schemes that route to them. */
function embeddedIpv4(words: number[]): { scheme: string; ipv4: string }[] {
  const zero = (from: number, to: number) => words.slice(from, to).every((word) => word === 0);
  const found: { scheme: string; ipv4: string }[] = [];
  const last = ipv4Of(words[6], words[7]);
  if (zero(0, 5) && words[5] === 0xffff) found.push({ scheme: 'IPv4-mapped', ipv4: last });
  if (zero(0, 6)) found.push({ scheme: 'IPv4-compatible', ipv4: last });
  if (zero(0, 4) && words[4] === 0xffff && words[5] === 0)
    found.push({ scheme: 'IPv4-translated', ipv4: last });
  if (words[0] === 0x64 && words[1] === 0xff9b && zero(2, 6)) found.push({ scheme: 'NAT64', ipv4: last });
  if (words[0] === 0x2002) found.push({ scheme: '6to4', ipv4: ipv4Of(words[1], words[2]) });
  if (words[0] === 0x2001 && words[1] === 0) {
    found.push({ scheme: 'Teredo server', ipv4: ipv4Of(words[2], words[3]) });
    found.push({ scheme: 'Teredo client', ipv4: ipv4Of(~words[6] & 0xffff, ~words[7] & 0xffff) });
  }
  return found;
}

/**
 * Why the address must not be connected to, or null when it may be. Anything that is not an IP address is
 * refused (fail closed).
 */
export function forbiddenReason(ip: string): string | null {
  const address = ip.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const family = isIP(address);
  if (family === 0) return 'not an IP address';
  if (family === 4) return BLOCKLISTS.find(({ list }) => list.check(address, 'ipv4'))?.reason ?? null;
  const own = BLOCKLISTS.find(({ list }) => list.check(address, 'ipv6'));
  if (own) return own.reason;
  for (const { scheme, ipv4 } of embeddedIpv4(ipv6Words(address))) {
    const reason = forbiddenReason(ipv4);
    if (reason) return `${scheme} IPv6 form of a ${reason}`;
  }
  return null;
}

/** Loopback, private, link-local, CGNAT, multicast, unspecified, broadcast, reserved or metadata, in v4 or v6. */
export function isForbiddenAddress(ip: string): boolean {
  return forbiddenReason(ip) !== null;
}

/**
 * The URL as WHATWG parses it: numeric hosts in any spelling (2130706433, 0x7f000001, 0177.0.0.1, 127.1)
 * come out as dotted quads. Only http and https, no credentials, a host required.
 */
export function parseWebhookUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookUrlError('invalid', 'url must be an absolute http or https URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new WebhookUrlError(
      'invalid',
      `url must use http or https, not ${parsed.protocol.replace(/:$/, '')}`,
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new WebhookUrlError('invalid', 'url must not contain credentials');
  }
  if (parsed.hostname === '') throw new WebhookUrlError('invalid', 'url must have a host');
  return parsed;
}

/** The host to resolve: URL.hostname keeps the brackets around an IPv6 literal. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true });

function refuseForbidden(hostname: string, addresses: LookupAddress[]): void {
  for (const { address } of addresses) {
    const reason = forbiddenReason(address);
    if (reason) {
      const target = hostname === address ? address : `${hostname} resolves to ${address}, which`;
      throw new WebhookUrlError('forbidden', `${target} is a ${reason}`);
    }
  }
}

/**
 * Every address of the host (an IP literal is its own), refused with a WebhookUrlError when any of them is
 * forbidden (a name with one public and one private address could be connected to either) unless
 * allowPrivate, or when the host does not resolve.
 */
export async function resolveAllowed(
  hostname: string,
  allowPrivate: boolean,
  resolve: Resolver = systemResolver,
): Promise<LookupAddress[]> {
  const family = isIP(hostname);
  let addresses: LookupAddress[];
  if (family !== 0) {
    addresses = [{ address: hostname, family }];
  } else {
    try {
      addresses = await resolve(hostname);
    } catch {
      throw new WebhookUrlError('unresolvable', `${hostname} does not resolve`);
    }
    if (addresses.length === 0) throw new WebhookUrlError('unresolvable', `${hostname} does not resolve`);
  }
  if (!allowPrivate) refuseForbidden(hostname, addresses);
  return addresses;
}

/** parseWebhookUrl then resolveAllowed on its host: what registration and each delivery check first. */
export async function checkWebhookUrl(
  url: string,
  allowPrivate: boolean,
  resolve: Resolver = systemResolver,
): Promise<URL> {
  const parsed = parseWebhookUrl(url);
  await resolveAllowed(hostOf(parsed), allowPrivate, resolve);
  return parsed;
}

/** dns.lookup's callback form with { all: true }: what createLookup resolves with. */
export type CallbackResolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemCallbackResolver: CallbackResolver = (hostname, options, callback) =>
  dns.lookup(hostname, options, callback);

/**
 * A `lookup` for http(s).Agent, net/tls.connect or undici's `connect: { lookup }`: resolves like dns.lookup
 * but fails the connection with a WebhookUrlError when any address is forbidden, so the check applies to
 * the very answer the socket connects to (DNS rebinding). Answers in both shapes node asks for: one
 * address, or all of them when called with { all: true } (happy eyeballs). allowPrivate turns the check off.
 */
export function createLookup(
  options: { allowPrivate?: boolean; resolve?: CallbackResolver } = {},
): LookupFunction {
  const { allowPrivate = false, resolve = systemCallbackResolver } = options;
  return (hostname: string, lookupOptions: LookupOptions, callback) => {
    resolve(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      try {
        if (addresses.length === 0) throw new WebhookUrlError('unresolvable', `${hostname} does not resolve`);
        if (!allowPrivate) refuseForbidden(hostname, addresses);
      } catch (refusal) {
        return callback(refusal as WebhookUrlError, '');
      }
      if (lookupOptions.all) return callback(null, addresses);
      const [first] = addresses;
      return callback(null, first.address, first.family);
    });
  };
}

/** createLookup() with private addresses refused and the system resolver. */
export const lookup: LookupFunction = createLookup();
