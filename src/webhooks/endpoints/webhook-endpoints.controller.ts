import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser, RequireRole } from '../../common/auth/access.decorators.js';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { ApiProblems } from '../../common/http/api-problems.decorator.js';
import { UuidParamPipe } from '../../common/http/uuid-param.pipe.js';
import type { Page } from '../../common/pagination/pagination.js';
import { NotIdempotent } from '../../idempotency/idempotency.decorators.js';
import {
  CreateWebhookEndpointDto,
  ListWebhookEndpointsQueryDto,
  UpdateWebhookEndpointDto,
  WebhookEndpointPageDto,
  WebhookEndpointResponseDto,
  WebhookEndpointWithSecretResponseDto,
  WebhookTestDeliveryResponseDto,
} from './dto/webhook-endpoint.dto.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';

@ApiTags('webhooks')
@Controller('v1/webhook-endpoints')
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post()
  @NotIdempotent()
  @RequireRole('admin')
  @ApiCreatedResponse({
    type: WebhookEndpointWithSecretResponseDto,
    description: 'The signing secret is in this answer only',
  })
  @ApiProblems(400)
  createWebhookEndpoint(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateWebhookEndpointDto,
  ): Promise<WebhookEndpointWithSecretResponseDto> {
    return this.endpoints.create(user, dto);
  }

  @Get()
  @RequireRole('admin')
  @ApiOkResponse({ type: WebhookEndpointPageDto })
  @ApiProblems(400)
  listWebhookEndpoints(
    @CurrentUser() user: AuthUser,
    @Query() query: ListWebhookEndpointsQueryDto,
  ): Promise<Page<WebhookEndpointResponseDto>> {
    return this.endpoints.list(user, query);
  }

  @Get(':id')
  @RequireRole('admin')
  @ApiOkResponse({ type: WebhookEndpointResponseDto })
  @ApiProblems(400, 404)
  getWebhookEndpoint(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<WebhookEndpointResponseDto> {
    return this.endpoints.get(user, id);
  }

  @Patch(':id')
  @RequireRole('admin')
  @ApiOkResponse({ type: WebhookEndpointResponseDto })
  @ApiProblems(400, 404)
  updateWebhookEndpoint(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointResponseDto> {
    return this.endpoints.update(user, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('admin')
  @ApiNoContentResponse()
  @ApiProblems(400, 404)
  deleteWebhookEndpoint(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<void> {
    return this.endpoints.remove(user, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @NotIdempotent()
  @RequireRole('admin')
  @ApiOkResponse({
    type: WebhookEndpointWithSecretResponseDto,
    description: 'The new secret, shown once; the previous one keeps signing for 24 hours',
  })
  @ApiProblems(400, 404)
  rotateWebhookEndpointSecret(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<WebhookEndpointWithSecretResponseDto> {
    return this.endpoints.rotateSecret(user, id);
  }

  @Post(':id/test')
  @HttpCode(202)
  @RequireRole('admin')
  @ApiOperation({
    summary: 'Send a test ping to this endpoint',
    description:
      'Writes a webhook_endpoint.test event carrying the endpoint (without its secret) and one delivery to this ' +
      'endpoint only, due now: it is signed, sent, retried and logged like any delivery (webhook-id = the event id).',
  })
  @ApiAcceptedResponse({ type: WebhookTestDeliveryResponseDto, description: 'The ping, queued for delivery' })
  @ApiProblems(400, 404, 409)
  testWebhookEndpoint(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<WebhookTestDeliveryResponseDto> {
    return this.endpoints.test(user, id);
  }
}
