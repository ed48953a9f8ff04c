import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** The first answer to a POST sent with an Idempotency-Key, replayed to retries for 24 h. */
@Entity('idempotency_keys')
export class IdempotencyKey {
  /** The caller's organizationId: the same key in two organizations is two keys. */
  @PrimaryColumn('uuid')
  scope!: string;

  @PrimaryColumn('text')
  key!: string;

  /** sha256 of method, path and canonical JSON body: a retry must send the same request. */
  @Column('text')
  requestHash!: string;

  @Column('smallint')
  responseStatus!: number;

  /** null for a 204. */
  @Column('jsonb', { nullable: true })
  responseBody!: unknown;

  // The cleanup job deletes by age.
  @Index()
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
