import type { LookupAddress } from 'node:dns';
import {
  type CallbackResolver,
  checkWebhookUrl,
  createLookup,
  forbiddenReason,
  hostOf,
  isForbiddenAddress,
  parseWebhookUrl,
  resolveAllowed,
  type Resolver,
  WebhookUrlError,
} from './ssrf.js';

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const v6 = (address: string): LookupAddress => ({ address, family: 6 });

/** A resolver that answers from a table and never touches the network. */
const fakeResolver =
  (table: Record<string, LookupAddress[]>): Resolver =>
  async (hostname) => {
    const answer = table[hostname];
    if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answer;
  };

async function refusal(promise: Promise<unknown>): Promise<WebhookUrlError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookUrlError);
    return error as WebhookUrlError;
  }
  throw new Error('expected a WebhookUrlError, nothing was thrown');
}

function thrownBy(run: () => unknown): WebhookUrlError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookUrlError);
    return error as WebhookUrlError;
  }
  throw new Error('expected a WebhookUrlError, nothing was thrown');
}

describe('isForbiddenAddress', () => {
  it.each([
    ['loopback', '127.0.0.1', /loopback/],
    ['loopback, end of 127/8', '127.255.255.254', /loopback/],
    ['loopback v6', '::1', /loopback/],
    ['private 10/8', '10.0.0.1', /private/],
    ['private 10/8 end', '10.255.255.255', /private/],
    ['private 172.16/12 start', '172.16.0.1', /private/],
    ['private 172.16/12 end', '172.31.255.255', /private/],
    ['private 192.168/16', '192.168.1.1', /private/],
    ['unique local fc00::/7 (fc)', 'fc00::1', /private/],
    ['unique local fc00::/7 (fd)', 'fdff:ffff::1', /private/],
    ['link-local', '169.254.1.1', /link-local/],
    ['link-local v6', 'fe80::1', /link-local/],
    ['link-local v6 end of fe80::/10', 'febf::1', /link-local/],
    ['link-local v6 with a zone', 'fe80::1%eth0', /link-local/],
    ['CGNAT start', '100.64.0.1', /CGNAT/],
    ['CGNAT end', '100.127.255.254', /CGNAT/],
    ['multicast', '224.0.0.1', /multicast/],
    ['multicast end', '239.255.255.255', /multicast/],
    ['multicast v6', 'ff02::1', /multicast/],
    ['unspecified', '0.0.0.0', /unspecified/],
    ['this network 0/8', '0.1.2.3', /unspecified/],
    ['unspecified v6', '::', /unspecified/],
    ['broadcast', '255.255.255.255', /broadcast/],
    ['benchmark 198.18/15', '198.18.0.1', /benchmarking/],
    ['benchmark 198.18/15 end', '198.19.255.255', /benchmarking/],
    ['reserved 240/4', '240.0.0.1', /reserved/],
    ['documentation TEST-NET-1', '192.0.2.10', /reserved/],
    ['documentation v6', '2001:db8::1', /reserved/],
    ['AWS/GCP/Azure metadata', '169.254.169.254', /metadata/],
    ['AWS IPv6 metadata', 'fd00:ec2::254', /metadata/],
    ['Alibaba metadata', '100.100.100.200', /metadata/],
    ['Azure wireserver', '168.63.129.16', /metadata/],
    ['IPv4-mapped loopback, dotted', '::ffff:127.0.0.1', /loopback/],
    ['IPv4-mapped loopback, hex', '::ffff:7f00:1', /loopback/],
    ['IPv4-mapped metadata', '::ffff:169.254.169.254', /metadata/],
    ['IPv4-mapped private, fully written', '0:0:0:0:0:ffff:a00:1', /private/],
    ['IPv4-compatible loopback', '::127.0.0.1', /loopback/],
    ['IPv4-compatible private, hex', '::c0a8:101', /private/],
    ['IPv4-translated loopback', '::ffff:0:7f00:1', /loopback/],
    ['NAT64 loopback', '64:ff9b::127.0.0.1', /NAT64 IPv6 form of a loopback/],
    ['NAT64 metadata, hex', '64:ff9b::a9fe:a9fe', /NAT64 IPv6 form of a cloud metadata/],
    ['local-use NAT64 prefix', '64:ff9b:1::808:808', /private/],
    ['6to4 of loopback', '2002:7f00:1::1', /6to4 IPv6 form of a loopback/],
    ['6to4 of private', '2002:c0a8:101::', /6to4 IPv6 form of a private/],
    ['6to4 of metadata', '2002:a9fe:a9fe::1', /6to4 IPv6 form of a cloud metadata/],
    ['Teredo with a private server', '2001:0:a00:1::1', /Teredo server/],
    ['bracketed v6 literal', '[::1]', /loopback/],
    ['not an address at all', 'localhost', /not an IP address/],
    ['empty', '', /not an IP address/],
  ])('refuses %s (%s)', (_case, ip, reason) => {
    expect(isForbiddenAddress(ip)).toBe(true);
    expect(forbiddenReason(ip)).toMatch(reason);
  });

  it.each([
    ['public v4', '93.184.215.14'],
    ['public v4, next to 10/8', '11.0.0.1'],
    ['just below 172.16/12', '172.15.255.255'],
    ['just above 172.16/12', '172.32.0.1'],
    ['just above CGNAT', '100.128.0.1'],
    ['just below link-local', '169.253.255.255'],
    ['just below multicast', '223.255.255.255'],
    ['public v6', '2606:4700:4700::1111'],
    ['IPv4-mapped public', '::ffff:8.8.8.8'],
    ['NAT64 of a public v4', '64:ff9b::808:808'],
    ['6to4 of a public v4', '2002:808:808::1'],
  ])('allows %s (%s)', (_case, ip) => {
    expect(forbiddenReason(ip)).toBeNull();
    expect(isForbiddenAddress(ip)).toBe(false);
  });
});

describe('parseWebhookUrl', () => {
  it.each([
    ['decimal', 'http://2130706433/hook'],
    ['hex', 'http://0x7f000001/hook'],
    ['octal', 'http://0177.0.0.1/hook'],
    ['short', 'http://127.1/hook'],
    ['mixed radix', 'http://0x7f.0.0.01/hook'],
    ['trailing dot', 'http://127.0.0.1./hook'],
  ])('normalizes the %s spelling of 127.0.0.1 to a dotted quad, which is refused', (_case, url) => {
    const parsed = parseWebhookUrl(url);

    expect(hostOf(parsed)).toBe('127.0.0.1');
    expect(isForbiddenAddress(hostOf(parsed))).toBe(true);
  });

  it('normalizes an IPv4-mapped IPv6 literal, and hostOf drops its brackets', () => {
    const parsed = parseWebhookUrl('https://[::ffff:127.0.0.1]:8443/hook');

    expect(hostOf(parsed)).toBe('::ffff:7f00:1');
    expect(isForbiddenAddress(hostOf(parsed))).toBe(true);
  });

  it('accepts http and https URLs with a port, path and query', () => {
    expect(parseWebhookUrl('https://hooks.example.test:8443/in?x=1').href).toBe(
      'https://hooks.example.test:8443/in?x=1',
    );
    expect(parseWebhookUrl('http://localhost/hook').hostname).toBe('localhost');
  });

  it.each([
    ['ftp', 'ftp://example.test/file', /http or https, not ftp/],
    ['file', 'file:///etc/passwd', /http or https, not file/],
    ['javascript', 'javascript:alert(1)', /http or https, not javascript/],
    ['data', 'data:text/plain,hi', /http or https/],
    ['gopher', 'gopher://127.0.0.1:6379/_INFO', /http or https/],
    ['relative', '/hook', /absolute/],
    ['garbage', 'not a url', /absolute/],
    ['user and password', 'https://user:pass@example.test/hook', /credentials/],
    ['user only', 'https://user@example.test/hook', /credentials/],
    ['empty password', 'https://:secret@example.test/hook', /credentials/],
  ])('refuses %s', (_case, url, message) => {
    const error = thrownBy(() => parseWebhookUrl(url));

    expect(error.problem).toBe('invalid');
    expect(error.message).toMatch(message);
  });
});

describe('resolveAllowed', () => {
  const resolver = fakeResolver({
    'public.test': [v4('93.184.215.14'), v6('2606:4700:4700::1111')],
    'mixed.test': [v4('93.184.215.14'), v4('10.0.0.5')],
    'mixed-v6.test': [v6('2606:4700:4700::1111'), v6('::1')],
    'metadata.test': [v4('169.254.169.254')],
    'empty.test': [],
  });

  it('answers every address of a public host', async () => {
    await expect(resolveAllowed('public.test', false, resolver)).resolves.toEqual([
      v4('93.184.215.14'),
      v6('2606:4700:4700::1111'),
    ]);
  });

  it.each([
    ['a public and a private v4', 'mixed.test', /mixed\.test resolves to 10\.0\.0\.5.*private/],
    ['a public v6 and loopback', 'mixed-v6.test', /resolves to ::1.*loopback/],
    ['the metadata address', 'metadata.test', /metadata/],
  ])('refuses a host resolving to %s', async (_case, host, message) => {
    const error = await refusal(resolveAllowed(host, false, resolver));

    expect(error.problem).toBe('forbidden');
    expect(error.message).toMatch(message);
  });

  it('allows them all with allowPrivate', async () => {
    await expect(resolveAllowed('mixed.test', true, resolver)).resolves.toHaveLength(2);
  });

  it('answers an IP literal without resolving it', async () => {
    const asked: string[] = [];
    const resolve: Resolver = async (hostname) => {
      asked.push(hostname);
      return [];
    };

    await expect(resolveAllowed('93.184.215.14', false, resolve)).resolves.toEqual([v4('93.184.215.14')]);
    await expect(resolveAllowed('::1', true, resolve)).resolves.toEqual([v6('::1')]);
    expect(asked).toEqual([]);
  });

  it('refuses a forbidden IP literal', async () => {
    expect((await refusal(resolveAllowed('127.0.0.1', false, resolver))).message).toMatch(
      /127\.0\.0\.1 is a loopback address/,
    );
  });

  it.each([
    ['an unknown host', 'nowhere.test'],
    ['an empty answer', 'empty.test'],
  ])('calls %s unresolvable', async (_case, host) => {
    const error = await refusal(resolveAllowed(host, false, resolver));

    expect(error.problem).toBe('unresolvable');
    expect(error.message).toBe(`${host} does not resolve`);
  });

  it('resolves localhost with the system resolver to loopback, and refuses it', async () => {
    expect((await refusal(resolveAllowed('localhost', false))).problem).toBe('forbidden');
  });
});

describe('checkWebhookUrl', () => {
  const resolver = fakeResolver({ 'public.test': [v4('93.184.215.14')] });

  it('answers the parsed URL of an allowed host', async () => {
    expect((await checkWebhookUrl('https://public.test/hook', false, resolver)).href).toBe(
      'https://public.test/hook',
    );
  });

  it.each([
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://[::1]/',
  ])('refuses %s', async (url) => {
    expect((await refusal(checkWebhookUrl(url, false, resolver))).problem).toBe('forbidden');
  });

  it('allows loopback with allowPrivate, but never a bad scheme', async () => {
    expect((await checkWebhookUrl('http://127.1:8080/', true, resolver)).host).toBe('127.0.0.1:8080');
    expect((await refusal(checkWebhookUrl('ftp://127.0.0.1/', true, resolver))).problem).toBe('invalid');
  });
});

describe('createLookup', () => {
  /** A resolver whose answer changes with every call, as a rebinding DNS server's would. */
  function rebinding(...answers: LookupAddress[][]): CallbackResolver & { calls: unknown[] } {
    const calls: unknown[] = [];
    const resolve: CallbackResolver = (hostname, options, callback) => {
      calls.push({ hostname, options });
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
      setImmediate(() => callback(null, answer));
    };
    return Object.assign(resolve, { calls });
  }

  function lookupWith(
    sut: ReturnType<typeof createLookup>,
    hostname: string,
    options: { all?: boolean; family?: number } = {},
  ): Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }> {
    return new Promise((done) =>
      sut(hostname, options, (error, address, family) => done({ error, address, family })),
    );
  }

  it('answers one address when asked for one, as net.connect asks', async () => {
    const sut = createLookup({ resolve: rebinding([v4('93.184.215.14'), v6('2606:4700:4700::1111')]) });

    expect(await lookupWith(sut, 'public.test')).toEqual({
      error: null,
      address: '93.184.215.14',
      family: 4,
    });
  });

  it('answers all addresses when asked with all: true (happy eyeballs)', async () => {
    const resolve = rebinding([v4('93.184.215.14'), v6('2606:4700:4700::1111')]);
    const sut = createLookup({ resolve });

    const answer = await lookupWith(sut, 'public.test', { all: true, family: 0 });

    expect(answer).toEqual({
      error: null,
      address: [v4('93.184.215.14'), v6('2606:4700:4700::1111')],
      family: undefined,
    });
    expect(resolve.calls).toEqual([{ hostname: 'public.test', options: { all: true, family: 0 } }]);
  });

  it('refuses a rebinding answer: public when the URL was checked, loopback when connecting', async () => {
    const resolve = rebinding([v4('93.184.215.14')], [v4('127.0.0.1')]);
    const sut = createLookup({ resolve });

    const atRegistration = await lookupWith(sut, 'rebind.test');
    const atConnection = await lookupWith(sut, 'rebind.test');

    expect(atRegistration.error).toBeNull();
    expect(atConnection.error).toBeInstanceOf(WebhookUrlError);
    expect(atConnection.error).toMatchObject({
      code: 'ERR_WEBHOOK_URL_REFUSED',
      problem: 'forbidden',
      message: 'rebind.test resolves to 127.0.0.1, which is a loopback address',
    });
  });

  it('refuses when any address of the answer is forbidden, even in the all form', async () => {
    const sut = createLookup({ resolve: rebinding([v4('93.184.215.14'), v6('::ffff:169.254.169.254')]) });

    const answer = await lookupWith(sut, 'mixed.test', { all: true });

    expect(answer.error).toMatchObject({ problem: 'forbidden', message: expect.stringMatching(/metadata/) });
  });

  it('lets private answers through with allowPrivate', async () => {
    const sut = createLookup({ allowPrivate: true, resolve: rebinding([v4('127.0.0.1')]) });

    expect(await lookupWith(sut, 'localhost')).toEqual({ error: null, address: '127.0.0.1', family: 4 });
  });

  it('passes a resolver error through, and calls an empty answer unresolvable', async () => {
    const failing: CallbackResolver = (_hostname, _options, callback) =>
      callback(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }), []);

    expect((await lookupWith(createLookup({ resolve: failing }), 'x.test')).error).toMatchObject({
      code: 'ENOTFOUND',
    });
    expect((await lookupWith(createLookup({ resolve: rebinding([]) }), 'x.test')).error).toMatchObject({
      problem: 'unresolvable',
    });
  });
});
