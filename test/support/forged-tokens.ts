import { generateKeyPairSync, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { testConfig } from './environment.js';
import type { Account } from './factories.js';

const JWT_SECRET = testConfig().jwtSecret;
const ISSUER = 'invoicing-api';
export const ONE_MINUTE = 60;

interface Claims {
  sub: string;
  sid: string;
}

/** The claims of a real access token, to forge tokens that differ from it in one respect only. */
export const claimsOf = (account: Pick<Account, 'accessToken'>): Claims => {
  const { sub, sid } = jwt.decode(account.accessToken) as Claims;
  return { sub, sid };
};

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A token signed like the server signs them, unless `options` says otherwise. */
export function forge(
  payload: object,
  options: jwt.SignOptions = {},
  secret: jwt.Secret = JWT_SECRET,
): string {
  return jwt.sign(payload, secret, {
    algorithm: 'HS256',
    issuer: ISSUER,
    audience: ISSUER,
    ...options,
  });
}

/** The account's real token with its payload replaced and its signature kept. */
function swapPayload(account: Account, changes: object): string {
  const [header, , signature] = account.accessToken.split('.');
  return `${header}.${base64url({ ...(jwt.decode(account.accessToken) as object), ...changes })}.${signature}`;
}

/** An unsigned token whose header names `alg`, carrying the account's claims. */
function unsigned(account: Account, alg: string): string {
  const payload = { ...claimsOf(account), iss: ISSUER, aud: ISSUER, exp: nowSeconds() + ONE_MINUTE };
  return `${base64url({ alg, typ: 'JWT' })}.${base64url(payload)}.`;
}

const attackerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });

/**
 * Tokens for the account's own live session that the server must refuse (401), each wrong in one respect:
 * `victim` is another organization's account whose identity the attacker tries to borrow.
 */
export const FORGED_TOKENS: [string, (account: Account, victim: Account) => string][] = [
  ['alg none, unsigned', (account) => unsigned(account, 'none')],
  ['alg NONE, unsigned', (account) => unsigned(account, 'NONE')],
  [
    'HS512 with the right secret',
    (account) => forge(claimsOf(account), { algorithm: 'HS512', expiresIn: ONE_MINUTE }),
  ],
  [
    'HS384 with the right secret',
    (account) => forge(claimsOf(account), { algorithm: 'HS384', expiresIn: ONE_MINUTE }),
  ],
  [
    'RS256 signed by the attacker, its public key in the header (jwk)',
    (account) =>
      forge(
        claimsOf(account),
        {
          algorithm: 'RS256',
          expiresIn: ONE_MINUTE,
          header: { alg: 'RS256', jwk: attackerKeys.publicKey.export({ format: 'jwk' }) } as jwt.JwtHeader,
        },
        attackerKeys.privateKey,
      ),
  ],
  [
    'RS256 in the header, HMAC-signed with the attacker’s public key as the secret',
    (account) => {
      const publicPem = attackerKeys.publicKey.export({ format: 'pem', type: 'spki' }).toString();
      const token = forge(claimsOf(account), { expiresIn: ONE_MINUTE }, publicPem);
      const [, payload, signature] = token.split('.');
      return `${base64url({ alg: 'RS256', typ: 'JWT' })}.${payload}.${signature}`;
    },
  ],
  [
    'a wrong signature',
    (account) =>
      forge(claimsOf(account), { expiresIn: ONE_MINUTE }, 'another-secret-of-more-than-32-characters'),
  ],
  ['its signature stripped', (account) => `${account.accessToken.split('.').slice(0, 2).join('.')}.`],
  [
    'its payload swapped to another user, old signature kept',
    (account, victim) => swapPayload(account, claimsOf(victim)),
  ],
  [
    'its payload given another organization and the owner role, old signature kept',
    (account, victim) => swapPayload(account, { organizationId: victim.organizationId, role: 'owner' }),
  ],
  [
    'its payload given a later expiry, old signature kept',
    (account) => swapPayload(account, { exp: nowSeconds() + 86_400 }),
  ],
  ['an expiry in the past', (account) => forge({ ...claimsOf(account), exp: nowSeconds() - 10 })],
  ['no exp claim', (account) => forge(claimsOf(account))],
  [
    'a not-before an hour from now',
    (account) => forge(claimsOf(account), { expiresIn: ONE_MINUTE, notBefore: 3600 }),
  ],
  [
    'another issuer',
    (account) => forge(claimsOf(account), { expiresIn: ONE_MINUTE, issuer: 'someone-else' }),
  ],
  [
    'another audience',
    (account) => forge(claimsOf(account), { expiresIn: ONE_MINUTE, audience: 'someone-else' }),
  ],
  [
    'a random session id',
    (account) => forge({ ...claimsOf(account), sid: randomUUID() }, { expiresIn: ONE_MINUTE }),
  ],
  [
    'a session id that is not a UUID',
    (account) => forge({ ...claimsOf(account), sid: 'not-a-uuid' }, { expiresIn: ONE_MINUTE }),
  ],
  [
    'its session under another user id',
    (account) => forge({ ...claimsOf(account), sub: randomUUID() }, { expiresIn: ONE_MINUTE }),
  ],
  [
    'its session under the victim’s user id',
    (account, victim) => forge({ ...claimsOf(account), sub: victim.userId }, { expiresIn: ONE_MINUTE }),
  ],
  ['its refresh token instead', (account) => account.refreshToken],
];
