import { basicAuthMatches } from './basic-auth.js';

const expected = { user: 'ops', password: 'a-long-admin-password' };
const header = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

describe('basicAuthMatches', () => {
  it('accepts the configured user and password', () => {
    expect(basicAuthMatches(header('ops:a-long-admin-password'), expected)).toBe(true);
  });

  it('accepts a password that contains colons', () => {
    expect(
      basicAuthMatches(header('ops:pa:ss:word-1234'), { user: 'ops', password: 'pa:ss:word-1234' }),
    ).toBe(true);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['a bearer token', 'Bearer abc.def.ghi'],
    ['no colon', header('opsa-long-admin-password')],
    ['the wrong user', header('root:a-long-admin-password')],
    ['the wrong password', header('ops:a-long-admin-passwore')],
    ['a prefix of the password', header('ops:a-long')],
    ['an empty user and password', header(':')],
    ['swapped user and password', header('a-long-admin-password:ops')],
  ])('refuses %s', (_case, value) => {
    expect(basicAuthMatches(value, expected)).toBe(false);
  });
});
