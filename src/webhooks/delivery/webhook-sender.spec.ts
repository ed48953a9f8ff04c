import http from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { MAX_RESPONSE_BYTES, WebhookSender } from './webhook-sender.js';

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

describe('WebhookSender', () => {
  let server: http.Server;
  let handler: Handler;
  let baseUrl: string;
  let sender: WebhookSender;
  const received: { method?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({
          method: request.method,
          headers: request.headers,
          body: Buffer.concat(chunks).toString(),
        });
        handler(request, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    received.length = 0;
    // Ample for a loopback answer on a loaded machine; the timeout's own test shortens it.
    sender = new WebhookSender({ timeoutMs: 5000 });
  });
  afterEach(() => sender.close());
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('POSTs the body with the headers and answers status, body and duration', async () => {
    handler = (_request, response) => response.writeHead(201).end('thanks');

    const result = await sender.send(`${baseUrl}/hook`, { 'webhook-id': 'evt-1' }, '{"a":1}');

    expect(result).toMatchObject({ statusCode: 201, truncated: false, error: null });
    expect(result.body.toString()).toBe('thanks');
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(received[0]).toMatchObject({
      method: 'POST',
      body: '{"a":1}',
      headers: expect.objectContaining({ 'webhook-id': 'evt-1', 'content-type': 'application/json' }),
    });
  });

  it('does not follow a redirect', async () => {
    handler = (request, response) =>
      request.url === '/moved'
        ? response.writeHead(302, { location: `${baseUrl}/elsewhere` }).end()
        : response.writeHead(200).end();

    const result = await sender.send(`${baseUrl}/moved`, {}, '{}');

    expect(result.statusCode).toBe(302);
    expect(received.map((request) => request.headers.host && request.method)).toHaveLength(1);
  });

  it('reads at most 64 KiB of a huge answer', async () => {
    handler = (_request, response) => {
      response.writeHead(200);
      response.end(Buffer.alloc(4 * 1024 * 1024, 'x'));
    };

    const result = await sender.send(baseUrl, {}, '{}');

    expect(result).toMatchObject({ statusCode: 200, truncated: true, error: null });
    expect(result.body.length).toBe(MAX_RESPONSE_BYTES);
  });

  it('gives up on an endpoint that does not answer in time', async () => {
    handler = () => undefined;
    sender.close();
    sender = new WebhookSender({ timeoutMs: 300 });

    const result = await sender.send(baseUrl, {}, '{}');

    expect(result).toMatchObject({ statusCode: null, error: 'Timed out after 300 ms' });
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
  });

  it('reports a refused connection as an error without a status', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    const result = await sender.send(`http://127.0.0.1:${port}`, {}, '{}');

    expect(result.statusCode).toBeNull();
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  it('resolves names through the injected lookup, which can refuse an address', async () => {
    handler = (_request, response) => response.writeHead(204).end();
    const { port } = server.address() as AddressInfo;
    const asked: string[] = [];
    // Node asks for every address (options.all) when it races IPv4 and IPv6.
    const lookup = ((hostname, options, callback) => {
      asked.push(hostname);
      if (hostname === 'refused.test') callback(new Error('Address refused'), '', 4);
      else if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    }) as LookupFunction;
    sender = new WebhookSender({ lookup, timeoutMs: 2000 });

    const allowed = await sender.send(`http://receiver.test:${port}/`, {}, '{}');
    const refused = await sender.send(`http://refused.test:${port}/`, {}, '{}');

    expect(allowed.statusCode).toBe(204);
    expect(refused).toMatchObject({ statusCode: null, error: 'Address refused' });
    expect(asked).toEqual(['receiver.test', 'refused.test']);
  });

  it('refuses a URL its check refuses, without connecting', async () => {
    handler = (_request, response) => response.writeHead(204).end();
    sender = new WebhookSender({
      checkUrl: () => Promise.reject(new Error('127.0.0.1 is a loopback address')),
    });

    const result = await sender.send(baseUrl, {}, '{}');

    expect(result).toMatchObject({ statusCode: null, error: '127.0.0.1 is a loopback address' });
    expect(received).toHaveLength(0);
  });

  it('refuses a protocol other than http and https', async () => {
    const result = await sender.send('ftp://127.0.0.1/', {}, '{}');
    expect(result).toMatchObject({ statusCode: null, error: 'Unsupported protocol ftp:' });
  });
});
