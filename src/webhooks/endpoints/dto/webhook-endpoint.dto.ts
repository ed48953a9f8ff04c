import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNotEmpty, IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import { IsOmittable } from '../../../common/http/omittable.js';
import { PageQueryDto } from '../../../common/pagination/pagination.js';
import { SUBSCRIBABLE_EVENT_TYPES, TEST_EVENT_TYPE } from '../../../events/event-types.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../webhook-delivery.entity.js';
import type { WebhookEndpoint } from '../../webhook-endpoint.entity.js';

/** Subscribes to every event type, present and future. */
export const ALL_EVENTS = '*';

/** The catalogue an endpoint subscribes from: every event type but the test ping. */
const CATALOGUE: ReadonlySet<string> = new Set(SUBSCRIBABLE_EVENT_TYPES);

/** What is wrong with an `events` list, or null: a non-empty list of catalogue types without repeats, or ['*']. */
export function eventSubscriptionProblem(value: unknown): string | null {
  if (!Array.isArray(value)) return 'events must be a list of event types, or ["*"]';
  if (value.length === 0) return 'events must name at least one event type, or "*" for all';
  if (value.some((type) => typeof type !== 'string')) return 'events must be a list of strings';
  if (value.includes(ALL_EVENTS) && value.length > 1)
    return 'events must be ["*"] alone, or a list without "*"';
  if (value.length === 1 && value[0] === ALL_EVENTS) return null;
  if (value.includes(TEST_EVENT_TYPE))
    return `events cannot include ${TEST_EVENT_TYPE}: it is sent by POST /v1/webhook-endpoints/{id}/test only`;
  const unknown = value.filter((type: string) => !CATALOGUE.has(type));
  if (unknown.length > 0) return `events has unknown event types: ${unknown.join(', ')}`;
  if (new Set(value).size !== value.length) return 'events lists an event type twice';
  return null;
}

const IsEventSubscription = () =>
  ValidateBy({
    name: 'isEventSubscription',
    validator: {
      validate: (value) => eventSubscriptionProblem(value) === null,
      defaultMessage: (args) => eventSubscriptionProblem(args?.value) ?? '',
    },
  });

const URL_EXAMPLE = 'https://hooks.example.com/invoicing';
const EVENTS_DESCRIPTION = `Event types to deliver, or ["*"] for all: ${SUBSCRIBABLE_EVENT_TYPES.join(', ')}`;

export class CreateWebhookEndpointDto {
  @ApiProperty({
    example: URL_EXAMPLE,
    maxLength: 2048,
    description:
      'http or https; refused when it resolves to a loopback, private, link-local or metadata address',
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  url!: string;

  @ApiProperty({
    type: [String],
    example: ['invoice.paid', 'payment.failed'],
    description: EVENTS_DESCRIPTION,
  })
  @IsEventSubscription()
  events!: string[];

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500, example: 'ERP sync' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;
}

/** Every field optional; `description: null` clears it; `enabled: true` also clears an automatic disable. */
export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({ example: URL_EXAMPLE, maxLength: 2048 })
  @IsOmittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ type: [String], example: ['*'], description: EVENTS_DESCRIPTION })
  @IsOmittable()
  @IsEventSubscription()
  events?: string[];

  @ApiPropertyOptional({ description: 'true re-enables a disabled endpoint' })
  @IsOmittable()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;
}

export class ListWebhookEndpointsQueryDto extends PageQueryDto {}

export class WebhookEndpointResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: URL_EXAMPLE }) url!: string;
  @ApiProperty({ type: String, nullable: true, example: 'ERP sync' }) description!: string | null;
  @ApiProperty({ type: [String], example: ['invoice.paid'] }) events!: string[];
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ type: Date, nullable: true, description: 'When deliveries were stopped' })
  disabledAt!: Date | null;
  @ApiProperty({ type: String, nullable: true, example: 'Failing for 5 days' }) disabledReason!:
    string | null;
  @ApiProperty({
    type: Date,
    nullable: true,
    description: 'After a rotation, the previous secret also signs deliveries until then',
  })
  secretRotatedUntil!: Date | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

/** Create and rotate-secret only: the signing secret is shown once, then never again. */
export class WebhookEndpointWithSecretResponseDto extends WebhookEndpointResponseDto {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', description: 'Standard Webhooks secret' })
  secret!: string;
}

/** The delivery of a test ping: pending, due now. */
export class WebhookTestDeliveryResponseDto {
  @ApiProperty({ format: 'uuid', description: 'The delivery; its attempts show in the delivery log' })
  id!: string;
  @ApiProperty({ format: 'uuid', description: 'The webhook_endpoint.test event: the webhook-id header' })
  eventId!: string;
  @ApiProperty({ format: 'uuid' }) endpointId!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, example: 'pending' }) status!: DeliveryStatus;
}

export class WebhookEndpointPageDto {
  @ApiProperty({ type: [WebhookEndpointResponseDto] }) data!: WebhookEndpointResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export function toWebhookEndpointResponse(
  endpoint: WebhookEndpoint,
  now: Date = new Date(),
): WebhookEndpointResponseDto {
  const rotatedUntil = endpoint.previousSecretExpiresAt;
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    events: endpoint.events,
    enabled: endpoint.enabled,
    disabledAt: endpoint.disabledAt,
    disabledReason: endpoint.disabledReason,
    secretRotatedUntil: rotatedUntil && rotatedUntil > now ? rotatedUntil : null,
    createdAt: endpoint.createdAt,
    updatedAt: endpoint.updatedAt,
  };
}

export function toWebhookEndpointWithSecretResponse(
  endpoint: WebhookEndpoint,
): WebhookEndpointWithSecretResponseDto {
  return { ...toWebhookEndpointResponse(endpoint), secret: endpoint.secret };
}
