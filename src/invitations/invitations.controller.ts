import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequireRole } from '../common/auth/access.decorators.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { ApiProblems } from '../common/http/api-problems.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import { type Page, PageQueryDto } from '../common/pagination/pagination.js';
import { NotIdempotent } from '../idempotency/idempotency.decorators.js';
import {
  CreatedInvitationResponseDto,
  CreateInvitationDto,
  InvitationPageDto,
  type InvitationResponseDto,
} from './dto/invitation.dto.js';
import { InvitationsService } from './invitations.service.js';

@ApiTags('members')
@Controller('v1/invitations')
export class InvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Post()
  @NotIdempotent()
  @RequireRole('owner')
  @ApiCreatedResponse({
    type: CreatedInvitationResponseDto,
    description: 'The token is shown only here; it expires in 7 days',
  })
  @ApiProblems(400, 409)
  createInvitation(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateInvitationDto,
  ): Promise<CreatedInvitationResponseDto> {
    return this.invitations.create(user, dto);
  }

  @Get()
  @RequireRole('owner')
  @ApiOkResponse({ type: InvitationPageDto, description: 'Pending invitations' })
  @ApiProblems(400)
  listInvitations(
    @CurrentUser() user: AuthUser,
    @Query() query: PageQueryDto,
  ): Promise<Page<InvitationResponseDto>> {
    return this.invitations.listPending(user, query);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('owner')
  @ApiNoContentResponse({ description: 'Revoked; its token no longer works' })
  @ApiProblems(400, 404)
  revokeInvitation(@CurrentUser() user: AuthUser, @Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.invitations.revoke(user, id);
  }
}
