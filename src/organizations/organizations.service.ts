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
    // Only the fields sent: saving the row as read would write back nextInvoiceNumber and undo a concurrent finalize.
    await this.organizations.save(this.organizations.create({ ...dto, id: actor.organizationId }));
    return this.get(actor);
  }

  private get organizations() {
    return this.dataSource.getRepository(Organization);
  }
}
