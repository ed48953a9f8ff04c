import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';

/** A random, URL-safe token with a readable prefix (`rt_…` refresh, `inv_…` invitation). */
export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** Tokens are high-entropy, so a plain sha256 is enough to store them without storing them. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

// OWASP's argon2id settings, which it rates equal in defence, trade memory for passes: of them, 7 MiB and 5
// passes. Each hash in flight holds its memory, and glibc keeps it for each of libuv's 4 threads afterwards:
// 28 MB of the API's RSS where 19 MiB and 2 passes kept 76 MB, for no more CPU (~24 ms a hash here).
// Hashes made with other settings verify with their own (they are written into the hash).
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 7_168,
  timeCost: 5,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

// Verified against when the email is unknown, so both failures take the same time.
const decoyHash = hashPassword(randomBytes(16).toString('hex'));

export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  const matches = await argon2.verify(hash ?? (await decoyHash), password);
  return matches && hash !== undefined;
}
