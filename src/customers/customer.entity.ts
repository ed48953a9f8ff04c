import { Column, Entity, Index } from 'typeorm';
import { TenantEntity } from '../database/tenant.entity.js';
import type { Address } from '../common/http/address.dto.js';

/** Someone an organization bills. */
@Entity('customers')
@Index(['organizationId', 'id'])
// Trigram index for ?q= on name and email; created by hand in the migration (TypeORM cannot express it).
@Index('customers_search_trgm', { synchronize: false })
export class Customer extends TenantEntity {
  @Column('text')
  name!: string;

  @Column('text')
  email!: string;

  @Column('text', { nullable: true })
  phone!: string | null;

  @Column('jsonb', { nullable: true })
  address!: Address | null;

  @Column('text', { nullable: true })
  taxId!: string | null;

  @Column('char', { length: 3, nullable: true })
  currency!: string | null;

  @Column('jsonb', { default: {} })
  metadata!: Record<string, string>;

  @Column('timestamptz', { nullable: true })
  archivedAt!: Date | null;
}
