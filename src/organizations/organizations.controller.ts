import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequireRole } from '../common/auth/access.decorators.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { ApiProblems } from '../common/http/api-problems.decorator.js';
import { OrganizationResponseDto, UpdateOrganizationDto } from './dto/organization.dto.js';
import { OrganizationsService } from './organizations.service.js';

@ApiTags('organization')
@Controller('v1/organization')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get()
  @RequireRole('viewer')
  @ApiOkResponse({ type: OrganizationResponseDto })
  getOrganization(@CurrentUser() user: AuthUser): Promise<OrganizationResponseDto> {
    return this.organizations.get(user);
  }

  @Patch()
  @RequireRole('admin')
  @ApiOkResponse({ type: OrganizationResponseDto })
  @ApiProblems(400)
  updateOrganization(
    @CurrentUser() user: AuthUser,
    @Body() dto: UpdateOrganizationDto,
  ): Promise<OrganizationResponseDto> {
    return this.organizations.update(user, dto);
  }
}
