import { Webhook } from 'standardwebhooks';
import { newWebhookSecret } from './webhook-secret.js';

describe('newWebhookSecret', () => {
  it('is whsec_ and the base64 of 32 bytes', () => {
    const sut = newWebhookSecret();

    expect(sut).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(sut.slice('whsec_'.length), 'base64')).toHaveLength(32);
  });

  it('is different every time', () => {
    const secrets = new Set(Array.from({ length: 100 }, () => newWebhookSecret()));

    expect(secrets.size).toBe(100);
  });

  it('is accepted by the standardwebhooks package, which verifies a signature made with it', () => {
    const secret = newWebhookSecret();
    const payload = JSON.stringify({ id: 'evt_1', type: 'invoice.paid', data: {} });
    const id = 'msg_1';
    const timestamp = new Date();
    const signature = new Webhook(secret).sign(id, timestamp, payload);

    const verified = new Webhook(secret).verify(payload, {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signature,
    });

    expect(signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verified).toEqual(JSON.parse(payload));
  });

  it('does not verify a signature made with another secret', () => {
    const payload = '{}';
    const timestamp = new Date();
    const signature = new Webhook(newWebhookSecret()).sign('msg_1', timestamp, payload);

    expect(() =>
      new Webhook(newWebhookSecret()).verify(payload, {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      }),
    ).toThrow();
  });
});
