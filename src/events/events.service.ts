import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/auth-user.js';
import { DomainError } from '../common/errors/domain-error.js';
import { decodeCursor, type Page, toPage } from '../common/pagination/pagination.js';
import { Transactions } from '../database/transactions.js';
import {
  type RedeliveriesResponseDto,
  toRedeliveryResponse,
} from '../webhooks/deliveries/dto/webhook-delivery.dto.js';
import { WebhookDeliveriesRepository } from '../webhooks/deliveries/webhook-deliveries.repository.js';
import { WebhookEndpoint } from '../webhooks/webhook-endpoint.entity.js';
import { type EventResponseDto, type ListEventsQueryDto, toEventResponse } from './dto/event.dto.js';
import type { Event } from './event.entity.js';
import { TEST_EVENT_TYPE } from './event-types.js';
import { EventsRepository } from './events.repository.js';

@Injectable()
export class EventsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly events: EventsRepository,
    private readonly deliveries: WebhookDeliveriesRepository,
  ) {}

  async list(actor: AuthUser, query: ListEventsQueryDto): Promise<Page<EventResponseDto>> {
    const rows = await this.events.list(actor.organizationId, {
      type: query.type,
      before: decodeCursor(query.cursor),
      limit: query.limit,
    });
    return toPage(rows, query.limit, toEventResponse);
  }

  async get(actor: AuthUser, id: string): Promise<EventResponseDto> {
    return toEventResponse(await this.require(actor, id));
  }

  /**
   * Makes the event due again, now, at every enabled endpoint subscribed to its type; the dispatcher sends
   * it like any due pending delivery (no Redis call here: Postgres is the record).
   */
  async redeliver(actor: AuthUser, id: string): Promise<RedeliveriesResponseDto> {
    const event = await this.require(actor, id);
    return this.transactions.run(async (manager) => {
      // A test ping belongs to the endpoint it was sent to, whatever that one subscribes to, and to no other.
      const endpoints =
        event.type === TEST_EVENT_TYPE
          ? await manager.findBy(WebhookEndpoint, {
              organizationId: actor.organizationId,
              id: (event.data as { id: string }).id,
              enabled: true,
            })
          : await this.deliveries.findSubscribedEndpoints(manager, actor.organizationId, event.type);
      const deliveries = await this.deliveries.makeDueNow(
        manager,
        actor.organizationId,
        event.id,
        endpoints.map((endpoint) => endpoint.id),
      );
      return { data: deliveries.map(toRedeliveryResponse) };
    });
  }

  /** The caller's event; another organization's is as missing as one that never was. */
  private async require(actor: AuthUser, id: string): Promise<Event> {
    const event = await this.events.findInOrganization(actor.organizationId, id);
    if (!event) throw new DomainError('event_not_found', `No event ${id}`);
    return event;
  }
}
