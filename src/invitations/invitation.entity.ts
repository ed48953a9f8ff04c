import { Check, Column, Entity, Index } from 'typeorm';
import { TenantEntity } from '../database/tenant.entity.js';
import type { Role } from '../common/auth/roles.js';

/** An offer to join an organization with a role, redeemed once by signing up with its token. */
@Entity('invitations')
@Check(`role IN ('viewer', 'member', 'admin', 'owner')`)
@Index(['organizationId', 'id'])
export class Invitation extends TenantEntity {
  @Column('text')
  email!: string;

  @Column('text')
  role!: Role;

  @Index({ unique: true })
  @Column('text')
  tokenHash!: string;

  @Column('uuid', { nullable: true })
  invitedById!: string | null;

  @Column('timestamptz')
  expiresAt!: Date;

  @Column('timestamptz', { nullable: true })
  acceptedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  revokedAt!: Date | null;
}
