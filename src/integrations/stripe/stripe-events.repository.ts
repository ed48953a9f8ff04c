import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { StripeEvent, type StripeEventOutcome } from './stripe-event.entity.js';

@Injectable()
export class StripeEventsRepository {
  /**
   * Claims the event for the caller's transaction; false when it was handled before. A concurrent
   * delivery of the same event waits here until the first commits (then false) or rolls back (then true).
   */
  async claim(manager: EntityManager, event: { id: string; type: string }): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO stripe_events (id, type, outcome) VALUES ($1, $2, 'received')
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [event.id, event.type],
    );
    return rows.length === 1;
  }

  async recordOutcome(
    manager: EntityManager,
    id: string,
    outcome: Exclude<StripeEventOutcome, 'received'>,
    reason: string | null,
  ): Promise<void> {
    await manager.update(StripeEvent, { id }, { outcome, reason });
  }
}
