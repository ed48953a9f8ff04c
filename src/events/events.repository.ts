import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Event } from './event.entity.js';
import type { EventType } from './event-types.js';

export interface EventListFilter {
  type?: EventType;
  /** Continue below this id (keyset). */
  before?: string;
  limit: number;
}

/** Event queries, always inside one organization. */
@Injectable()
export class EventsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findInOrganization(organizationId: string, id: string): Promise<Event | null> {
    return this.dataSource.manager.findOneBy(Event, { organizationId, id });
  }

  /** Newest first, `limit + 1` rows so the caller knows whether another page follows. */
  list(organizationId: string, filter: EventListFilter): Promise<Event[]> {
    const query = this.dataSource
      .getRepository(Event)
      .createQueryBuilder('event')
      .where('event.organizationId = :organizationId', { organizationId })
      .orderBy('event.id', 'DESC')
      .limit(filter.limit + 1);
    if (filter.type) query.andWhere('event.type = :type', { type: filter.type });
    if (filter.before) query.andWhere('event.id < :before', { before: filter.before });
    return query.getMany();
  }
}
