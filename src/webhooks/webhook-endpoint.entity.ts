import { Column, Entity, Index } from 'typeorm';
import { TenantEntity } from '../database/tenant.entity.js';

/** Where an organization wants its events delivered, and the secrets that sign them. */
@Entity('webhook_endpoints')
@Index(['organizationId', 'id'])
export class WebhookEndpoint extends TenantEntity {
  @Column('text')
  url!: string;

  @Column('text', { nullable: true })
  description!: string | null;

  /** Event types from the catalogue, or ['*'] for all. */
  @Column('text', { array: true })
  events!: string[];

  @Column('boolean', { default: true })
  enabled!: boolean;

  /** The Standard Webhooks signing secret, `whsec_…` (base64 of 32 random bytes after the prefix). */
  @Column('text')
  secret!: string;

  /** After a rotation the old secret keeps signing alongside the new one until previousSecretExpiresAt. */
  @Column('text', { nullable: true })
  previousSecret!: string | null;

  @Column('timestamptz', { nullable: true })
  previousSecretExpiresAt!: Date | null;

  /** Start of the current run of failed deliveries; cleared by a success. Five days of it disables the endpoint. */
  @Column('timestamptz', { nullable: true })
  failingSince!: Date | null;

  @Column('timestamptz', { nullable: true })
  disabledAt!: Date | null;

  @Column('text', { nullable: true })
  disabledReason!: string | null;
}
