import { Column, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { Organization } from '../organizations/organization.entity.js';
import { BaseEntity } from './base.entity.js';

/** A row that belongs to one organization and goes with it. */
export abstract class TenantEntity extends BaseEntity {
  @Column('uuid')
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn()
  organization?: Relation<Organization>;
}
