import { DomainError } from '../common/errors/domain-error.js';
import { canonicalJson, parseIdempotencyKey, requestHash } from './idempotency-request.js';

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    const sut = canonicalJson({ b: [3, { z: 1, y: null }], a: 'x' });
    expect(sut).toBe('{"a":"x","b":[3,{"y":null,"z":1}]}');
  });

  it('writes a missing body as null', () => {
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('requestHash', () => {
  const body = { name: 'Globex', address: { city: 'Springfield', country: 'US' } };

  it('is the same for the same body in another key order', () => {
    const reordered = { address: { country: 'US', city: 'Springfield' }, name: 'Globex' };
    expect(requestHash('POST', '/v1/customers', reordered)).toBe(requestHash('POST', '/v1/customers', body));
  });

  it.each([
    ['another body', 'POST', '/v1/customers', { ...body, name: 'Initech' }],
    ['another path', 'POST', '/v1/customers/1/archive', body],
    ['another method', 'PUT', '/v1/customers', body],
  ])('differs for %s', (_case, method, path, otherBody) => {
    expect(requestHash(method, path, otherBody)).not.toBe(requestHash('POST', '/v1/customers', body));
  });
});

describe('parseIdempotencyKey', () => {
  it.each(['a', 'order-42 retry#1', 'k'.repeat(255)])('accepts %j', (key) => {
    expect(parseIdempotencyKey(key)).toBe(key);
  });

  it.each(['', 'k'.repeat(256), 'caf\u00e9', 'tab\there', ['a', 'b']])('refuses %j', (key) => {
    expect(() => parseIdempotencyKey(key)).toThrow(DomainError);
  });
});
