import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/pagination.js';
import type { Event } from '../event.entity.js';
import { EVENT_TYPES, type EventType } from '../event-types.js';

export class ListEventsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: EVENT_TYPES, description: 'Only events of this type' })
  @IsOptional()
  @IsIn(EVENT_TYPES)
  type?: EventType;
}

export class EventResponseDto {
  @ApiProperty({ format: 'uuid', description: 'Also the webhook-id of its deliveries' }) id!: string;
  @ApiProperty({ enum: EVENT_TYPES, example: 'invoice.paid' }) type!: EventType;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'X-Request-Id of the request that made the change (null for scheduled work)',
  })
  requestId!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The object right after the change',
  })
  data!: object;
}

export class EventPageDto {
  @ApiProperty({ type: [EventResponseDto] }) data!: EventResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export function toEventResponse(event: Event): EventResponseDto {
  return {
    id: event.id,
    type: event.type,
    createdAt: event.createdAt,
    requestId: event.requestId,
    data: event.data,
  };
}
