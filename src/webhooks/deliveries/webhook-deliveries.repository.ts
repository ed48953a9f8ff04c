import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { newId } from '../../database/ids.js';
import { WebhookAttempt } from '../webhook-attempt.entity.js';
import type { DeliveryStatus } from '../webhook-delivery.entity.js';
import type { Event } from '../../events/event.entity.js';
import { WebhookDelivery } from '../webhook-delivery.entity.js';
import { WebhookEndpoint } from '../webhook-endpoint.entity.js';

export interface DeliveryListFilter {
  status?: DeliveryStatus;
  /** Continue below this id (keyset). */
  before?: string;
  limit: number;
}

/** A delivery as the log shows it: the row plus its event's type and request id. */
export interface LoggedDelivery {
  delivery: WebhookDelivery;
  event: Pick<Event, 'type' | 'requestId'>;
}

/** Webhook delivery queries for the API, always inside one organization; the workers own the sending. */
@Injectable()
export class WebhookDeliveriesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findEndpointInOrganization(organizationId: string, id: string): Promise<WebhookEndpoint | null> {
    return this.dataSource.manager.findOneBy(WebhookEndpoint, { organizationId, id });
  }

  /** The organization's enabled endpoints subscribed to `type`, directly or through '*'. */
  findSubscribedEndpoints(
    manager: EntityManager,
    organizationId: string,
    type: string,
  ): Promise<WebhookEndpoint[]> {
    return manager
      .getRepository(WebhookEndpoint)
      .createQueryBuilder('endpoint')
      .where('endpoint.organizationId = :organizationId', { organizationId })
      .andWhere('endpoint.enabled = true')
      .andWhere(`endpoint.events && ARRAY[:type, '*']::text[]`, { type })
      .orderBy('endpoint.id')
      .getMany();
  }

  /**
   * Makes the (event, endpoint) delivery due now, creating it when missing; attempts are kept so the log
   * continues where it was. The dispatcher picks it up like any due pending delivery.
   */
  async makeDueNow(
    manager: EntityManager,
    organizationId: string,
    eventId: string,
    endpointIds: string[],
  ): Promise<WebhookDelivery[]> {
    if (endpointIds.length === 0) return [];
    await manager
      .createQueryBuilder()
      .insert()
      .into(WebhookDelivery)
      .values(
        endpointIds.map((endpointId) => ({
          id: newId(),
          organizationId,
          eventId,
          endpointId,
          status: 'pending' as const,
          attempts: 0,
          nextAttemptAt: () => 'now()',
        })),
      )
      .orUpdate(['status', 'next_attempt_at', 'updated_at'], ['event_id', 'endpoint_id'])
      .execute();
    return manager
      .getRepository(WebhookDelivery)
      .createQueryBuilder('delivery')
      .where('delivery.eventId = :eventId AND delivery.endpointId IN (:...endpointIds)', {
        eventId,
        endpointIds,
      })
      .orderBy('delivery.endpointId')
      .getMany();
  }

  /** Every failed delivery of the endpoint whose event was created at or after `since` becomes due now. */
  async replayFailedSince(organizationId: string, endpointId: string, since: Date): Promise<number> {
    const result: [unknown[], number] = await this.dataSource.query(
      `UPDATE webhook_deliveries AS delivery
          SET status = 'pending', next_attempt_at = now(), updated_at = now()
         FROM events AS event
        WHERE delivery.organization_id = $1 AND delivery.endpoint_id = $2 AND delivery.status = 'failed'
          AND event.id = delivery.event_id AND event.created_at >= $3`,
      [organizationId, endpointId, since],
    );
    return result[1];
  }

  /** Newest first, `limit + 1` rows so the caller knows whether another page follows. */
  async listForEndpoint(
    organizationId: string,
    endpointId: string,
    filter: DeliveryListFilter,
  ): Promise<LoggedDelivery[]> {
    const query = this.dataSource
      .getRepository(WebhookDelivery)
      .createQueryBuilder('delivery')
      .innerJoin('delivery.event', 'event')
      .addSelect(['event.id', 'event.type', 'event.requestId'])
      .where('delivery.organizationId = :organizationId AND delivery.endpointId = :endpointId', {
        organizationId,
        endpointId,
      })
      .orderBy('delivery.id', 'DESC')
      .limit(filter.limit + 1);
    if (filter.status) query.andWhere('delivery.status = :status', { status: filter.status });
    if (filter.before) query.andWhere('delivery.id < :before', { before: filter.before });
    const deliveries = await query.getMany();
    return deliveries.map((delivery) => ({ delivery, event: delivery.event! }));
  }

  /** The attempts of these deliveries, in the order they were made. */
  attemptsOf(deliveryIds: string[]): Promise<WebhookAttempt[]> {
    if (deliveryIds.length === 0) return Promise.resolve([]);
    return this.dataSource
      .getRepository(WebhookAttempt)
      .createQueryBuilder('attempt')
      .where('attempt.deliveryId IN (:...deliveryIds)', { deliveryIds })
      .orderBy('attempt.deliveryId')
      .addOrderBy('attempt.attempt')
      .addOrderBy('attempt.id')
      .getMany();
  }
}
