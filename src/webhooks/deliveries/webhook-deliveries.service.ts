import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { decodeCursor, type Page, toPage } from '../../common/pagination/pagination.js';
import type { WebhookAttempt } from '../webhook-attempt.entity.js';
import type { WebhookEndpoint } from '../webhook-endpoint.entity.js';
import {
  type ListDeliveriesQueryDto,
  type ReplayDeliveriesDto,
  type ReplayDeliveriesResponseDto,
  toWebhookDeliveryResponse,
  type WebhookDeliveryResponseDto,
} from './dto/webhook-delivery.dto.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';

const REPLAY_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

/** The delivery log of an endpoint and the bulk replay of its failures (after an outage). */
@Injectable()
export class WebhookDeliveriesService {
  constructor(private readonly deliveries: WebhookDeliveriesRepository) {}

  async list(
    actor: AuthUser,
    endpointId: string,
    query: ListDeliveriesQueryDto,
  ): Promise<Page<WebhookDeliveryResponseDto>> {
    await this.requireEndpoint(actor, endpointId);
    const rows = await this.deliveries.listForEndpoint(actor.organizationId, endpointId, {
      status: query.status,
      before: decodeCursor(query.cursor),
      limit: query.limit,
    });
    const attempts = await this.deliveries.attemptsOf(rows.map((row) => row.delivery.id));
    const byDelivery = new Map<string, WebhookAttempt[]>();
    for (const attempt of attempts) {
      byDelivery.set(attempt.deliveryId, [...(byDelivery.get(attempt.deliveryId) ?? []), attempt]);
    }
    return toPage(
      rows.map((row) => ({ id: row.delivery.id, ...row })),
      query.limit,
      ({ delivery, event }) => toWebhookDeliveryResponse(delivery, event, byDelivery.get(delivery.id) ?? []),
    );
  }

  async replay(
    actor: AuthUser,
    endpointId: string,
    dto: ReplayDeliveriesDto,
  ): Promise<ReplayDeliveriesResponseDto> {
    const since = replayStart(dto.since, new Date());
    await this.requireEndpoint(actor, endpointId);
    return { replayed: await this.deliveries.replayFailedSince(actor.organizationId, endpointId, since) };
  }

  /** The caller's endpoint; another organization's is as missing as one that never was. */
  private async requireEndpoint(actor: AuthUser, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.deliveries.findEndpointInOrganization(actor.organizationId, id);
    if (!endpoint) throw new DomainError('webhook_endpoint_not_found', `No webhook endpoint ${id}`);
    return endpoint;
  }
}

/** `since` as a Date, refused when it is in the future or more than 30 days before `now`. */
function replayStart(since: string, now: Date): Date {
  const start = new Date(since);
  const problem =
    start.getTime() > now.getTime()
      ? 'since must not be in the future'
      : now.getTime() - start.getTime() > REPLAY_WINDOW_MS
        ? 'since must be at most 30 days back'
        : null;
  if (problem) throw new DomainError('validation_failed', problem, [{ field: 'since', message: problem }]);
  return start;
}
