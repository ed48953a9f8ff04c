import { Webhook } from 'standardwebhooks';

/** The secrets an endpoint signs with: the current one, and the previous one until its rotation grace ends. */
export interface SigningSecrets {
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

// A Webhook decodes its secret when made: reuse one per secret, and forget them all past a bound.
const SIGNERS_KEPT = 1000;
const signers = new Map<string, Webhook>();

function signer(secret: string): Webhook {
  let webhook = signers.get(secret);
  if (!webhook) {
    if (signers.size >= SIGNERS_KEPT) signers.clear();
    webhook = new Webhook(secret);
    signers.set(secret, webhook);
  }
  return webhook;
}

/** The JSON body Standard Webhooks receivers get: `{ id, type, timestamp, data: { object } }`. */
export function webhookPayload(event: { id: string; type: string; createdAt: Date; data: object }): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    timestamp: event.createdAt.toISOString(),
    data: { object: event.data },
  });
}

/**
 * The three Standard Webhooks headers. webhook-id is the event id, so a receiver deduplicates retries;
 * while a rotated secret is in its grace period both sign, space-separated (`v1,<new> v1,<old>`).
 */
export function signatureHeaders(
  messageId: string,
  sentAt: Date,
  payload: string,
  secrets: SigningSecrets,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const keys = [secrets.secret];
  if (secrets.previousSecret && secrets.previousSecretExpiresAt && secrets.previousSecretExpiresAt > sentAt) {
    keys.push(secrets.previousSecret);
  }
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
    'webhook-signature': keys.map((key) => signer(key).sign(messageId, sentAt, payload)).join(' '),
  };
}
