import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { UserResponseDto } from '../auth/dto/auth.dto.js';
import { CurrentUser, RequireRole } from '../common/auth/access.decorators.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { ApiProblems } from '../common/http/api-problems.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import { type Page, PageQueryDto } from '../common/pagination/pagination.js';
import { MemberPageDto, UpdateMemberDto } from './dto/member.dto.js';
import { MembersService } from './members.service.js';

@ApiTags('members')
@Controller('v1/members')
export class MembersController {
  constructor(private readonly members: MembersService) {}

  @Get()
  @RequireRole('viewer')
  @ApiOkResponse({ type: MemberPageDto })
  @ApiProblems(400)
  listMembers(@CurrentUser() user: AuthUser, @Query() query: PageQueryDto): Promise<Page<UserResponseDto>> {
    return this.members.list(user, query);
  }

  @Patch(':userId')
  @RequireRole('owner')
  @ApiOkResponse({ type: UserResponseDto })
  @ApiProblems(400, 404, 409)
  updateMember(
    @CurrentUser() user: AuthUser,
    @Param('userId', UuidParamPipe) userId: string,
    @Body() dto: UpdateMemberDto,
  ): Promise<UserResponseDto> {
    return this.members.changeRole(user, userId, dto.role);
  }

  @Delete(':userId')
  @HttpCode(204)
  @RequireRole('owner')
  @ApiNoContentResponse({ description: 'Removed; their sessions end at once' })
  @ApiProblems(400, 404, 409)
  removeMember(@CurrentUser() user: AuthUser, @Param('userId', UuidParamPipe) userId: string): Promise<void> {
    return this.members.remove(user, userId);
  }
}
