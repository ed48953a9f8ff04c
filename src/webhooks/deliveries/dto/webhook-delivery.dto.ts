import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/pagination.js';
import type { Event } from '../../../events/event.entity.js';
import { EVENT_TYPES } from '../../../events/event-types.js';
import type { WebhookAttempt } from '../../webhook-attempt.entity.js';
import {
  DELIVERY_STATUSES,
  type DeliveryStatus,
  type WebhookDelivery,
} from '../../webhook-delivery.entity.js';

export class ListDeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
}

export class ReplayDeliveriesDto {
  @ApiProperty({
    example: '2026-11-24T08:00:00Z',
    description: 'ISO 8601 timestamp with a time zone, not in the future and at most 30 days back',
  })
  @IsISO8601({ strict: true, strictSeparator: true })
  since!: string;
}

export class ReplayDeliveriesResponseDto {
  @ApiProperty({ example: 12, description: 'How many failed deliveries were made pending again' })
  replayed!: number;
}

/** A delivery made due again by a redeliver. */
export class RedeliveryResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) endpointId!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, example: 'pending' }) status!: DeliveryStatus;
  @ApiProperty({ example: 3, description: 'Attempts made so far; the log continues' }) attempts!: number;
  @ApiProperty({ type: Date, nullable: true }) nextAttemptAt!: Date | null;
}

export class RedeliveriesResponseDto {
  @ApiProperty({ type: [RedeliveryResponseDto] }) data!: RedeliveryResponseDto[];
}

export class WebhookAttemptResponseDto {
  @ApiProperty({ example: 1, description: '1 for the first attempt' }) attempt!: number;
  @ApiProperty({ type: Number, nullable: true, example: 503, description: 'null when no answer came' })
  statusCode!: number | null;
  @ApiProperty({ example: 182 }) durationMs!: number;
  @ApiProperty({ type: String, nullable: true, description: 'The first KiB of the answer' })
  responseExcerpt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'timeout after 15 s' }) error!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true, description: 'When the next attempt was due after this one' })
  nextAttemptAt!: Date | null;
}

export class WebhookDeliveryResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ enum: EVENT_TYPES, example: 'invoice.paid' }) eventType!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'X-Request-Id of the request that made the event (null for scheduled work)',
  })
  requestId!: string | null;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status!: DeliveryStatus;
  @ApiProperty({ example: 2, description: 'Attempts made so far' }) attempts!: number;
  @ApiProperty({ type: Date, nullable: true }) nextAttemptAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) lastAttemptAt!: Date | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: [WebhookAttemptResponseDto], description: 'Every attempt, first first' })
  attemptLog!: WebhookAttemptResponseDto[];
}

export class WebhookDeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryResponseDto] }) data!: WebhookDeliveryResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export function toRedeliveryResponse(delivery: WebhookDelivery): RedeliveryResponseDto {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.nextAttemptAt,
  };
}

export function toWebhookAttemptResponse(attempt: WebhookAttempt): WebhookAttemptResponseDto {
  return {
    attempt: attempt.attempt,
    statusCode: attempt.statusCode,
    durationMs: attempt.durationMs,
    responseExcerpt: attempt.responseExcerpt,
    error: attempt.error,
    createdAt: attempt.createdAt,
    nextAttemptAt: attempt.nextAttemptAt,
  };
}

export function toWebhookDeliveryResponse(
  delivery: WebhookDelivery,
  event: Pick<Event, 'type' | 'requestId'>,
  attempts: WebhookAttempt[],
): WebhookDeliveryResponseDto {
  return {
    id: delivery.id,
    eventId: delivery.eventId,
    eventType: event.type,
    requestId: event.requestId,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.nextAttemptAt,
    lastAttemptAt: delivery.lastAttemptAt,
    createdAt: delivery.createdAt,
    attemptLog: attempts.map(toWebhookAttemptResponse),
  };
}
