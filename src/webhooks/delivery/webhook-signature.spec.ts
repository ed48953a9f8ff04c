import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { signatureHeaders, webhookPayload } from './webhook-signature.js';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const NOW = new Date('2026-11-25T10:00:00Z');

describe('webhook signature', () => {
  const event = { id: 'evt-1', type: 'customer.created', createdAt: NOW, data: { id: 'cus-1' } };
  const payload = webhookPayload(event);

  it('builds the Standard Webhooks body', () => {
    expect(JSON.parse(payload)).toEqual({
      id: 'evt-1',
      type: 'customer.created',
      timestamp: '2026-11-25T10:00:00.000Z',
      data: { object: { id: 'cus-1' } },
    });
  });

  it('signs with the current secret only when no rotation is pending', () => {
    const secret = newSecret();
    const headers = signatureHeaders('evt-1', new Date(), payload, {
      secret,
      previousSecret: null,
      previousSecretExpiresAt: null,
    });

    expect(headers['webhook-id']).toBe('evt-1');
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    expect(new Webhook(secret).verify(payload, headers)).toEqual(JSON.parse(payload));
  });

  it('signs with both secrets while the previous one has not expired, and either verifies', () => {
    const [secret, previousSecret] = [newSecret(), newSecret()];
    const sentAt = new Date();
    const headers = signatureHeaders('evt-1', sentAt, payload, {
      secret,
      previousSecret,
      previousSecretExpiresAt: new Date(sentAt.getTime() + 60_000),
    });

    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(secret).verify(payload, headers)).toBeTruthy();
    expect(new Webhook(previousSecret).verify(payload, headers)).toBeTruthy();
  });

  it('drops the previous secret once it has expired', () => {
    const [secret, previousSecret] = [newSecret(), newSecret()];
    const sentAt = new Date();
    const headers = signatureHeaders('evt-1', sentAt, payload, {
      secret,
      previousSecret,
      previousSecretExpiresAt: new Date(sentAt.getTime() - 1),
    });

    expect(headers['webhook-signature'].split(' ')).toHaveLength(1);
    expect(() => new Webhook(previousSecret).verify(payload, headers)).toThrow();
  });
});
