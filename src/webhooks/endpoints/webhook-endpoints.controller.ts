import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
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
}
