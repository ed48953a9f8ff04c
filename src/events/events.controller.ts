import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequireRole } from '../common/auth/access.decorators.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { ApiProblems } from '../common/http/api-problems.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { Page } from '../common/pagination/pagination.js';
import { RedeliveriesResponseDto } from '../webhooks/deliveries/dto/webhook-delivery.dto.js';
import { EventPageDto, EventResponseDto, ListEventsQueryDto } from './dto/event.dto.js';
import { EventsService } from './events.service.js';

@ApiTags('events')
@Controller('v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @RequireRole('viewer')
  @ApiOkResponse({ type: EventPageDto, description: 'Newest first' })
  @ApiProblems(400)
  listEvents(
    @CurrentUser() user: AuthUser,
    @Query() query: ListEventsQueryDto,
  ): Promise<Page<EventResponseDto>> {
    return this.events.list(user, query);
  }

  @Get(':id')
  @RequireRole('viewer')
  @ApiOkResponse({ type: EventResponseDto })
  @ApiProblems(400, 404)
  getEvent(@CurrentUser() user: AuthUser, @Param('id', UuidParamPipe) id: string): Promise<EventResponseDto> {
    return this.events.get(user, id);
  }

  @Post(':id/redeliver')
  @HttpCode(202)
  @RequireRole('admin')
  @ApiAcceptedResponse({
    type: RedeliveriesResponseDto,
    description: 'One delivery per enabled endpoint subscribed to its type, pending and due now',
  })
  @ApiProblems(400, 404)
  redeliverEvent(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<RedeliveriesResponseDto> {
    return this.events.redeliver(user, id);
  }
}
