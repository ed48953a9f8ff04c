import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BaseEntity } from '../database/base.entity.js';
import { Organization } from '../organizations/organization.entity.js';
import type { Role } from '../common/auth/roles.js';

/** A person who signs in; each belongs to exactly one organization, with one role in it. */
@Entity('users')
@Check(`role IN ('viewer', 'member', 'admin', 'owner')`)
@Index(['organizationId', 'id'])
export class User extends BaseEntity {
  @Column('uuid')
  organizationId!: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn()
  organization?: Relation<Organization>;

  // Stored lower-cased, so uniqueness is case-insensitive.
  @Index({ unique: true })
  @Column('text')
  email!: string;

  @Column('text')
  name!: string;

  @Column('text')
  passwordHash!: string;

  @Column('text')
  role!: Role;
}
