import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const STRIPE_EVENT_OUTCOMES = ['received', 'applied', 'duplicate', 'ignored'] as const;
export type StripeEventOutcome = (typeof STRIPE_EVENT_OUTCOMES)[number];

/** Each Stripe event handled once: its id is claimed in the transaction that applies it. */
@Entity('stripe_events')
@Check(`outcome IN ('received', 'applied', 'duplicate', 'ignored')`)
export class StripeEvent {
  /** Stripe's event id (`evt_…`), the same on every delivery of the event. */
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  type!: string;

  /** 'received' only inside the transaction that claims the event; it commits with the outcome. */
  @Column('text')
  outcome!: StripeEventOutcome;

  /** Why an ignored event changed nothing. */
  @Column('text', { nullable: true })
  reason!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  receivedAt!: Date;
}
