import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequireRole } from '../../common/auth/access.decorators.js';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { ApiProblems } from '../../common/http/api-problems.decorator.js';
import { UuidParamPipe } from '../../common/http/uuid-param.pipe.js';
import type { Page } from '../../common/pagination/pagination.js';
import {
  ListDeliveriesQueryDto,
  ReplayDeliveriesDto,
  ReplayDeliveriesResponseDto,
  WebhookDeliveryPageDto,
  type WebhookDeliveryResponseDto,
} from './dto/webhook-delivery.dto.js';
import { WebhookDeliveriesService } from './webhook-deliveries.service.js';

@ApiTags('webhook-endpoints')
@Controller('v1/webhook-endpoints')
export class WebhookDeliveriesController {
  constructor(private readonly deliveries: WebhookDeliveriesService) {}

  @Get(':id/deliveries')
  @RequireRole('admin')
  @ApiOkResponse({ type: WebhookDeliveryPageDto, description: 'Newest first, each with every attempt' })
  @ApiProblems(400, 404)
  listWebhookDeliveries(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
    @Query() query: ListDeliveriesQueryDto,
  ): Promise<Page<WebhookDeliveryResponseDto>> {
    return this.deliveries.list(user, id, query);
  }

  @Post(':id/replay')
  @HttpCode(202)
  @RequireRole('admin')
  @ApiAcceptedResponse({
    type: ReplayDeliveriesResponseDto,
    description: 'Failed deliveries of events created since then are pending again, due now',
  })
  @ApiProblems(400, 404)
  replayWebhookDeliveries(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: ReplayDeliveriesDto,
  ): Promise<ReplayDeliveriesResponseDto> {
    return this.deliveries.replay(user, id, dto);
  }
}
