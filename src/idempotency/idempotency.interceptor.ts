import {
  type CallHandler,
  type ExecutionContext,
  HttpStatus,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { AuthUser } from '../common/auth/auth-user.js';
import { DomainError } from '../common/errors/domain-error.js';
import { Transactions } from '../database/transactions.js';
import { deferEvents } from '../events/outbox.js';
import { IdempotencyKeysRepository } from './idempotency-keys.repository.js';
import { NOT_IDEMPOTENT } from './idempotency.decorators.js';
import { IDEMPOTENCY_KEY_HEADER, parseIdempotencyKey, requestHash } from './idempotency-request.js';

/**
 * A POST sent with an Idempotency-Key runs once per organization and key: the handler and its stored
 * answer commit in one transaction, so a retry either replays that answer or, after an error, runs again.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly transactions: Transactions,
    private readonly keys: IdempotencyKeysRepository,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    const header = request.headers[IDEMPOTENCY_KEY_HEADER.toLowerCase()];
    // Public routes have no organization to scope a key to (those taking POSTs are @NotIdempotent anyway).
    if (request.method !== 'POST' || header === undefined || !request.user || this.optedOut(context)) {
      return next.handle();
    }
    const scope = request.user.organizationId;
    const key = parseIdempotencyKey(header);
    const hash = requestHash(request.method, request.url, request.body);
    const status: number = this.reflector.get(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    const reply = context.switchToHttp().getResponse<FastifyReply>();

    return from(
      this.transactions.runInNew(async (manager) => {
        const claim = await this.keys.claim(manager, scope, key);
        if (!claim) {
          throw new DomainError(
            'idempotency_key_in_use',
            `A request with this ${IDEMPOTENCY_KEY_HEADER} is still running; retry later`,
            undefined,
            1,
          );
        }
        const { stored } = claim;
        if (stored && stored.requestHash !== hash) {
          throw new DomainError(
            'idempotency_key_reused',
            `This ${IDEMPOTENCY_KEY_HEADER} was sent with another request in the last 24 hours`,
          );
        }
        if (stored) {
          // Nest answers with the route's status, which is the one stored.
          reply.header('Idempotent-Replayed', 'true');
          return stored.responseBody ?? undefined;
        }
        // Subscribed inside runInNew, so the service's transactions.run() joins this transaction; its events
        // are written with the stored answer.
        deferEvents(manager);
        const body = await lastValueFrom(next.handle());
        await this.keys.store(manager, {
          scope,
          key,
          requestHash: hash,
          responseStatus: status,
          responseBody: body,
        });
        return body;
      }),
    );
  }

  private optedOut(context: ExecutionContext): boolean {
    return (
      this.reflector.getAllAndOverride<boolean>(NOT_IDEMPOTENT, [context.getHandler(), context.getClass()]) ??
      false
    );
  }
}
