import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { decodeCursor, type Page, toPage } from '../../common/pagination/pagination.js';
import { AppConfig } from '../../config/app-config.js';
import { newId } from '../../database/ids.js';
import { Transactions } from '../../database/transactions.js';
import { Event } from '../../events/event.entity.js';
import { TEST_EVENT_TYPE } from '../../events/event-types.js';
import { checkWebhookUrl, WebhookUrlError } from '../ssrf.js';
import { WebhookDelivery } from '../webhook-delivery.entity.js';
import { WebhookEndpoint } from '../webhook-endpoint.entity.js';
import { newWebhookSecret } from '../webhook-secret.js';
import {
  type CreateWebhookEndpointDto,
  type ListWebhookEndpointsQueryDto,
  toWebhookEndpointResponse,
  toWebhookEndpointWithSecretResponse,
  type UpdateWebhookEndpointDto,
  type WebhookEndpointResponseDto,
  type WebhookEndpointWithSecretResponseDto,
  type WebhookTestDeliveryResponseDto,
} from './dto/webhook-endpoint.dto.js';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository.js';

/** How long the secret replaced by a rotation keeps signing alongside the new one. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 60 * 60 * 1000;

const MANUALLY_DISABLED = 'Disabled through the API';

@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly config: AppConfig,
    private readonly transactions: Transactions,
    private readonly endpoints: WebhookEndpointsRepository,
  ) {}

  async create(
    actor: AuthUser,
    dto: CreateWebhookEndpointDto,
  ): Promise<WebhookEndpointWithSecretResponseDto> {
    // Resolving the host is network I/O: done before, never inside, the transaction.
    const url = await this.allowedUrl(dto.url);
    return this.transactions.run(async (manager) => {
      const endpoint = await manager.save(
        manager.create(WebhookEndpoint, {
          organizationId: actor.organizationId,
          url,
          description: dto.description ?? null,
          events: dto.events,
          enabled: true,
          secret: newWebhookSecret(),
          previousSecret: null,
          previousSecretExpiresAt: null,
          failingSince: null,
          disabledAt: null,
          disabledReason: null,
        }),
      );
      return toWebhookEndpointWithSecretResponse(endpoint);
    });
  }

  async list(
    actor: AuthUser,
    query: ListWebhookEndpointsQueryDto,
  ): Promise<Page<WebhookEndpointResponseDto>> {
    const rows = await this.endpoints.list(actor.organizationId, {
      before: decodeCursor(query.cursor),
      limit: query.limit,
    });
    return toPage(rows, query.limit, (endpoint) => toWebhookEndpointResponse(endpoint));
  }

  async get(actor: AuthUser, id: string): Promise<WebhookEndpointResponseDto> {
    return toWebhookEndpointResponse(
      found(await this.endpoints.findInOrganization(actor.organizationId, id), id),
    );
  }

  async update(
    actor: AuthUser,
    id: string,
    dto: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointResponseDto> {
    const url = dto.url === undefined ? undefined : await this.allowedUrl(dto.url);
    const endpoint = await this.change(actor, id, (endpoint) => {
      if (url !== undefined) endpoint.url = url;
      if (dto.events !== undefined) endpoint.events = dto.events;
      if (dto.description !== undefined) endpoint.description = dto.description;
      if (dto.enabled === true) {
        endpoint.enabled = true;
        endpoint.disabledAt = null;
        endpoint.disabledReason = null;
        endpoint.failingSince = null;
      } else if (dto.enabled === false && endpoint.enabled) {
        endpoint.enabled = false;
        endpoint.disabledAt = new Date();
        endpoint.disabledReason = MANUALLY_DISABLED;
      }
    });
    return toWebhookEndpointResponse(endpoint);
  }

  /** A new secret; the current one keeps signing for 24 h more (a second rotation replaces it again). */
  async rotateSecret(actor: AuthUser, id: string): Promise<WebhookEndpointWithSecretResponseDto> {
    const endpoint = await this.change(actor, id, (endpoint) => {
      endpoint.previousSecret = endpoint.secret;
      endpoint.previousSecretExpiresAt = new Date(Date.now() + PREVIOUS_SECRET_TTL_MS);
      endpoint.secret = newWebhookSecret();
    });
    return toWebhookEndpointWithSecretResponse(endpoint);
  }

  /**
   * A test ping through the real pipeline, to this endpoint only: a `webhook_endpoint.test` event carrying the
   * endpoint, written already relayed (so the relay owes it to no subscriber), and its one delivery, pending
   * and due now, which the dispatcher sends like any other. One transaction: both or neither.
   */
  test(actor: AuthUser, id: string): Promise<WebhookTestDeliveryResponseDto> {
    return this.transactions.run(async (manager) => {
      const endpoint = await this.requireLocked(manager, actor, id);
      if (!endpoint.enabled) {
        throw new DomainError(
          'webhook_endpoint_disabled',
          `Webhook endpoint ${id} is disabled; enable it (PATCH enabled: true) to send a test`,
        );
      }
      const now = new Date();
      const event = await manager.save(
        manager.create(Event, {
          organizationId: actor.organizationId,
          type: TEST_EVENT_TYPE,
          data: toWebhookEndpointResponse(endpoint, now),
          relayedAt: now,
        }),
      );
      const delivery = await manager.save(
        manager.create(WebhookDelivery, {
          id: newId(),
          organizationId: actor.organizationId,
          eventId: event.id,
          endpointId: endpoint.id,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          lastAttemptAt: null,
        }),
      );
      return { id: delivery.id, eventId: event.id, endpointId: endpoint.id, status: delivery.status };
    });
  }

  remove(actor: AuthUser, id: string): Promise<void> {
    return this.transactions.run(async (manager) => {
      const endpoint = await this.requireLocked(manager, actor, id);
      await manager.delete(WebhookEndpoint, { id: endpoint.id });
    });
  }

  /** Loads the caller's endpoint under a row lock, applies `edit` and saves it. */
  private change(
    actor: AuthUser,
    id: string,
    edit: (endpoint: WebhookEndpoint) => void,
  ): Promise<WebhookEndpoint> {
    return this.transactions.run(async (manager) => {
      const endpoint = await this.requireLocked(manager, actor, id);
      edit(endpoint);
      return manager.save(endpoint);
    });
  }

  private async requireLocked(manager: EntityManager, actor: AuthUser, id: string): Promise<WebhookEndpoint> {
    return found(await this.endpoints.lockInOrganization(manager, actor.organizationId, id), id);
  }

  /** The URL as it will be stored (WHATWG-normalized), once the SSRF rules accept it. */
  private async allowedUrl(url: string): Promise<string> {
    try {
      return (await checkWebhookUrl(url, this.config.webhookAllowPrivateUrls)).href;
    } catch (error) {
      if (!(error instanceof WebhookUrlError)) throw error;
      switch (error.problem) {
        case 'invalid':
          throw new DomainError('validation_failed', error.message, [
            { field: 'url', message: error.message },
          ]);
        case 'forbidden':
          throw new DomainError('webhook_url_forbidden', error.message);
        case 'unresolvable':
          throw new DomainError('webhook_url_unresolvable', error.message);
      }
    }
  }
}

/** Another organization's endpoint is as missing as one that never was. */
function found(endpoint: WebhookEndpoint | null, id: string): WebhookEndpoint {
  if (!endpoint) throw new DomainError('webhook_endpoint_not_found', `No webhook endpoint ${id}`);
  return endpoint;
}
