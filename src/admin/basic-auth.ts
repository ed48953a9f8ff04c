import { createHash, timingSafeEqual } from 'node:crypto';

export interface BasicCredentials {
  user: string;
  password: string;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/** Equal strings compare in the same time whatever they hold or how long they are (hashes have one length). */
function sameText(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Whether an `Authorization: Basic …` header carries exactly these credentials. */
export function basicAuthMatches(header: string | undefined, expected: BasicCredentials): boolean {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header?.trim() ?? '');
  if (!match) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Both compared every time, so a wrong user takes as long as a wrong password.
  const userMatches = sameText(decoded.slice(0, colon), expected.user);
  const passwordMatches = sameText(decoded.slice(colon + 1), expected.password);
  return userMatches && passwordMatches;
}
