import { describe, expect, it } from '@jest/globals';
import argon2 from 'argon2';
import { ARGON2_OPTIONS, hashPassword, verifyPassword } from './secrets.js';

/** The memory (KiB), passes and lanes an argon2 hash string was made with. */
const settingsOf = (hash: string) => {
  const [, variant, , params] = hash.split('$');
  const { m, t, p } = Object.fromEntries(params.split(',').map((pair) => pair.split('=')));
  return { variant, memoryKib: Number(m), passes: Number(t), lanes: Number(p) };
};

describe('password hashes', () => {
  it('are argon2id at 7 MiB and 5 passes, one of the settings OWASP rates equal in defence', async () => {
    const sut = await hashPassword('correct horse battery staple');

    expect(settingsOf(sut)).toEqual({ variant: 'argon2id', memoryKib: 7_168, passes: 5, lanes: 1 });
    expect(await verifyPassword(sut, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(sut, 'correct horse battery stapler')).toBe(false);
  });

  it('made with the earlier 19 MiB and 2 passes still verify, with their own settings', async () => {
    const earlier = { ...ARGON2_OPTIONS, memoryCost: 19_456, timeCost: 2 };
    const sut = await argon2.hash('an older password', earlier);

    expect(settingsOf(sut)).toMatchObject({ memoryKib: 19_456, passes: 2 });
    expect(await verifyPassword(sut, 'an older password')).toBe(true);
    expect(await verifyPassword(sut, 'another password')).toBe(false);
  });

  it('of no one (an unknown email) never verify, whatever the password', async () => {
    expect(await verifyPassword(undefined, '')).toBe(false);
    expect(await verifyPassword(undefined, 'correct horse battery staple')).toBe(false);
  });
});
