import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { WebhookEndpoint } from '../webhook-endpoint.entity.js';

/** Webhook endpoint queries, always inside one organization. */
@Injectable()
export class WebhookEndpointsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findInOrganization(organizationId: string, id: string): Promise<WebhookEndpoint | null> {
    return this.dataSource.manager.findOneBy(WebhookEndpoint, { organizationId, id });
  }

  /** The same row, locked until the caller's transaction ends, so concurrent edits and rotations queue up. */
  lockInOrganization(
    manager: EntityManager,
    organizationId: string,
    id: string,
  ): Promise<WebhookEndpoint | null> {
    return manager.findOne(WebhookEndpoint, {
      where: { organizationId, id },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /** Newest first, `limit + 1` rows so the caller knows whether another page follows. */
  list(organizationId: string, page: { before?: string; limit: number }): Promise<WebhookEndpoint[]> {
    const query = this.dataSource
      .getRepository(WebhookEndpoint)
      .createQueryBuilder('endpoint')
      .where('endpoint.organizationId = :organizationId', { organizationId })
      .orderBy('endpoint.id', 'DESC')
      .limit(page.limit + 1);
    if (page.before) query.andWhere('endpoint.id < :before', { before: page.before });
    return query.getMany();
  }
}
