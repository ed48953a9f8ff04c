import { Check, Column, Entity, Index } from 'typeorm';
import { TenantEntity } from '../database/tenant.entity.js';
import type { Role } from '../common/auth/roles.js';

/** A person who signs in; each belongs to exactly one organization, with one role in it. */
@Entity('users')
@Check(`role IN ('viewer', 'member', 'admin', 'owner')`)
@Index(['organizationId', 'id'])
export class User extends TenantEntity {
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
