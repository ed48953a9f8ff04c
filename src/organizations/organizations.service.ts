import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import {
  type OrganizationResponseDto,
  toOrganizationResponse,
  type UpdateOrganizationDto,
} from './dto/organization.dto.js';
import { Organization } from './organization.entity.js';

@Injectable()
export class OrganizationsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async get(actor: AuthUser): Promise<OrganizationResponseDto> {
    return toOrganizationResponse(await this.organizations.findOneByOrFail({ id: actor.organizationId }));
  }

  async update(actor: AuthUser, dto: UpdateOrganizationDto): Promise<OrganizationResponseDto> {
    const organization = await this.organizations.findOneByOrFail({ id: actor.organizationId });
    return toOrganizationResponse(await this.organizations.save(this.organizations.merge(organization, dto)));
  }

  private get organizations() {
    return this.dataSource.getRepository(Organization);
  }
}
