import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { NotificationType } from './notification-types.js';

export interface NotificationContent {
  type: NotificationType;
  message: string;
  data: Record<string, string>;
}

/**
 * One row per owner and admin. Ids are UUIDv7 made by Postgres (15 has no uuidv7()): 48 bits of Unix
 * milliseconds, the version, 12 bits of sub-millisecond time (RFC 9562 method 3, so a later statement sorts
 * later), then the variant and random bits of gen_random_uuid(), evaluated per row.
 */
const INSERT_FOR_MANAGERS = `
  WITH now AS (SELECT extract(epoch FROM clock_timestamp()) * 1000 AS ms)
  INSERT INTO notifications (id, organization_id, user_id, type, message, data)
  SELECT (lpad(to_hex(floor(now.ms)::bigint), 12, '0') || '7'
          || lpad(to_hex(floor((now.ms - floor(now.ms)) * 4096)::int), 3, '0')
          || substr(replace(gen_random_uuid()::text, '-', ''), 17))::uuid,
         users.organization_id, users.id, $2, $3, $4::jsonb
    FROM users, now
   WHERE users.organization_id = $1 AND users.role IN ('owner', 'admin')
  RETURNING id`;

/** Writes in-app notifications; other features call it inside the transaction that made the change. */
@Injectable()
export class Notifier {
  /** Notifies every owner and admin of the organization; answers how many people were notified. */
  async notifyManagers(
    manager: EntityManager,
    organizationId: string,
    notification: NotificationContent,
  ): Promise<number> {
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error(`notifyManagers(${notification.type}) called outside a transaction`);
    }
    const rows: unknown[] = await manager.query(INSERT_FOR_MANAGERS, [
      organizationId,
      notification.type,
      notification.message,
      JSON.stringify(notification.data),
    ]);
    return rows.length;
  }
}
