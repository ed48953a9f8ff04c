import type { Response } from 'supertest';
import { type Account, PASSWORD, PROBLEM_JSON, signUpOwner, uniqueEmail } from '../../support/factories.js';
import { startAppOn } from '../../support/private-database.js';
import { type Child, freePort, startRedisServer } from '../../support/processes.js';
import { randomIp, type TestApp } from '../../support/test-app.js';
import { type AbuseApp, startAbuseApp } from './abuse-app.js';
import { watchWrites } from './database-fingerprint.js';
import { printTallies, Tally } from './tally.js';

const PER_EMAIL = { limit: 10, windowSeconds: 15 * 60 };
const PER_IP = { limit: 30, windowSeconds: 60 };

/** A password list with the right password at `position` (0-based). */
const guesses = (count: number, position: number) =>
  Array.from({ length: count }, (_, index) => (index === position ? PASSWORD : `guess number ${index}`));

/** What an answer tells a client, with the seconds left in the window (which tick) taken out. */
const visible = (response: Response) => ({
  status: response.status,
  contentType: response.headers['content-type'],
  retryAfter: response.headers['retry-after'] === undefined ? undefined : 'present',
  body: response.text.replace(/\d+ s\b/g, 'N s'),
});

/** Asserts the 429 the throttle answers: a problem document with a Retry-After within the window. */
function expectThrottled(response: Response, windowSeconds: number): void {
  const retryAfter = Number(response.headers['retry-after']);
  expect({
    status: response.status,
    contentType: response.headers['content-type'],
    code: response.body.code,
    retryAfterInWindow: Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= windowSeconds,
  }).toEqual({
    status: 429,
    contentType: expect.stringMatching(PROBLEM_JSON),
    code: 'rate_limited',
    retryAfterInWindow: true,
  });
}

describe('abuse: login brute force', () => {
  let app: AbuseApp;
  let sut: TestApp;
  const tallies = {
    oneAddress: new Tally('password list, one address'),
    botnet: new Tally('password list, a new address per guess'),
    unknown: new Tally('password list against an unknown email'),
    variants: new Tally('spellings of one email'),
    burst: new Tally('guesses sent at once'),
    spray: new Tally('one address, many accounts'),
    spoofed: new Tally('TRUST_PROXY=false, X-Forwarded-For rotated'),
    appended: new Tally('TRUST_PROXY=loopback, the left of X-Forwarded-For rotated'),
  };

  beforeAll(async () => {
    app = await startAbuseApp('abuse_login');
    sut = app.sut;
  });
  afterAll(async () => {
    printTallies('login-brute-force', Object.values(tallies));
    await app?.close();
  });

  const login = (email: string, password: string, ip: string, app: TestApp = sut) =>
    app.http.post('/v1/auth/login').set('X-Forwarded-For', ip).send({ email, password });

  /** Tries each password in turn, counting answers; answers the responses. */
  async function attack(
    email: string,
    passwords: string[],
    ipFor: (index: number) => string,
    tally: Tally,
    app: TestApp = sut,
  ): Promise<Response[]> {
    const responses: Response[] = [];
    const { changed } = await watchWrites(app.db, async () => {
      for (const [index, password] of passwords.entries()) {
        const response = await login(email, password, ipFor(index), app);
        tally.count(response.status);
        responses.push(response);
      }
    });
    tally.wrote(changed.length);
    expect(changed).toEqual([]);
    return responses;
  }

  /** One guess at each of `emails` in turn, as a password spray does; answers the responses. */
  async function spray(
    emails: string[],
    password: string,
    ipFor: () => string,
    tally: Tally,
    app: TestApp = sut,
  ): Promise<Response[]> {
    const responses: Response[] = [];
    for (const email of emails) responses.push(...(await attack(email, [password], ipFor, tally, app)));
    return responses;
  }

  const statuses = (responses: Response[]) => responses.map((response) => response.status);

  it('evaluates 10 guesses per email, then refuses every guess, the right one too, with 429 and Retry-After', async () => {
    const owner = await signUpOwner(sut.http);
    const ip = randomIp();

    const responses = await attack(owner.email, guesses(40, 20), () => ip, tallies.oneAddress);

    expect(statuses(responses)).toEqual([...Array(10).fill(401), ...Array(30).fill(429)]);
    for (const response of responses.slice(10)) expectThrottled(response, PER_EMAIL.windowSeconds);
  });

  it('holds the per-email limit against a new address for every guess', async () => {
    const owner = await signUpOwner(sut.http);

    const responses = await attack(owner.email, guesses(40, 20), () => randomIp(), tallies.botnet);

    expect(statuses(responses)).toEqual([...Array(10).fill(401), ...Array(30).fill(429)]);
    // The owner is locked out too until the window ends: the price of a per-email limit.
    expectThrottled(await login(owner.email, PASSWORD, randomIp()), PER_EMAIL.windowSeconds);
  });

  it('answers an unknown email exactly as a known one, guess for guess', async () => {
    const owner = await signUpOwner(sut.http);
    const wrong = guesses(15, -1);

    const known = await attack(owner.email, wrong, () => randomIp(), tallies.unknown);
    const unknown = await attack(uniqueEmail('nobody'), wrong, () => randomIp(), tallies.unknown);

    expect(unknown.map(visible)).toEqual(known.map(visible));
    expect(statuses(known)).toEqual([...Array(10).fill(401), ...Array(5).fill(429)]);
  });

  it('counts every spelling of an email (case, surrounding spaces) against the same limit', async () => {
    const owner = await signUpOwner(sut.http);
    const spellings = [
      owner.email,
      owner.email.toUpperCase(),
      `  ${owner.email}  `,
      `\t${owner.email.toUpperCase()}`,
    ];

    const responses: Response[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      const [response] = await attack(
        spellings[attempt % spellings.length],
        ['wrong guess'],
        randomIp,
        tallies.variants,
      );
      responses.push(response);
    }

    expect(statuses(responses)).toEqual([...Array(10).fill(401), 429, 429]);
    expectThrottled(await login(owner.email, PASSWORD, randomIp()), PER_EMAIL.windowSeconds);
  });

  it('evaluates at most 10 of 30 guesses sent at once', async () => {
    const owner = await signUpOwner(sut.http);

    const responses = await Promise.all(
      guesses(30, 29).map((password) => login(owner.email, password, randomIp())),
    );
    for (const response of responses) tallies.burst.count(response.status);

    expect(statuses(responses).filter((status) => status !== 429)).toEqual(Array(10).fill(401));
  });

  it('evaluates 30 attempts a minute from one address, then refuses it even a right password', async () => {
    const ip = randomIp();
    const accounts: Account[] = [];
    for (let index = 0; index < 2; index++) accounts.push(await signUpOwner(sut.http));
    const emails = Array.from({ length: PER_IP.limit }, () => uniqueEmail('sprayed'));

    const sprayed = await spray(emails, 'Winter2026!', () => ip, tallies.spray);
    const [right] = await attack(accounts[0].email, [PASSWORD], () => ip, tallies.spray);

    expect(statuses(sprayed)).toEqual(Array(PER_IP.limit).fill(401));
    expectThrottled(right, PER_IP.windowSeconds);
    await login(accounts[1].email, PASSWORD, randomIp()).expect(200);
  });

  /**
   * The api role with `TRUST_PROXY=trustProxy`, on a Redis of its own: every request comes from 127.0.0.1,
   * and those counts must not throttle other suites.
   */
  async function startAppTrusting(trustProxy: string): Promise<{ app: TestApp; stop: () => Promise<void> }> {
    const port = await freePort();
    const redis: Child = await startRedisServer(port);
    const started = await startAppOn(app.database, {
      APP_ROLE: 'api',
      TRUST_PROXY: trustProxy,
      REDIS_URL: `redis://127.0.0.1:${port}/0`,
    });
    return {
      app: started,
      stop: async () => {
        await started.close();
        await redis.stop();
      },
    };
  }

  describe('behind no proxy (TRUST_PROXY=false)', () => {
    let direct: Awaited<ReturnType<typeof startAppTrusting>>;

    beforeAll(async () => {
      direct = await startAppTrusting('false');
    });
    afterAll(() => direct?.stop());

    it('counts a client that rotates X-Forwarded-For as the one address it connects from', async () => {
      const emails = Array.from({ length: PER_IP.limit + 5 }, () => uniqueEmail('spoofer'));

      const responses = await spray(emails, 'wrong guess', () => randomIp(), tallies.spoofed, direct.app);

      expect(statuses(responses)).toEqual([...Array(PER_IP.limit).fill(401), ...Array(5).fill(429)]);
      expectThrottled(responses.at(-1)!, PER_IP.windowSeconds);
    });
  });

  describe('behind a load balancer that appends to X-Forwarded-For (TRUST_PROXY=loopback)', () => {
    let proxied: Awaited<ReturnType<typeof startAppTrusting>>;
    // What the balancer (this test, on loopback) appends: the address it received the request from.
    const client = '203.0.113.7';

    beforeAll(async () => {
      proxied = await startAppTrusting('loopback');
    });
    afterAll(() => proxied?.stop());

    it('counts the address the balancer appended, whatever the client wrote before it', async () => {
      const emails = Array.from({ length: PER_IP.limit + 5 }, () => uniqueEmail('rotator'));

      const responses = await spray(
        emails,
        'wrong guess',
        () => `${randomIp()}, ${client}`,
        tallies.appended,
        proxied.app,
      );
      const [neighbour] = await spray(
        [uniqueEmail('neighbour')],
        'wrong guess',
        () => `${randomIp()}, 203.0.113.8`,
        tallies.appended,
        proxied.app,
      );

      expect(statuses(responses)).toEqual([...Array(PER_IP.limit).fill(401), ...Array(5).fill(429)]);
      expectThrottled(responses.at(-1)!, PER_IP.windowSeconds);
      expect(neighbour.status).toBe(401);
    });
  });
});
