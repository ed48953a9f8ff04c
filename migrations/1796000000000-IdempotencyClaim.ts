import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Claiming an Idempotency-Key in one round trip: the key's lock, then its stored answer. The lookup runs after
 * the lock is taken with a snapshot of its own (each statement of a VOLATILE function takes one), so it sees
 * an answer committed by the transaction that held the lock before; one SELECT doing both would not.
 */
export class IdempotencyClaim1796000000000 implements MigrationInterface {
  name = 'IdempotencyClaim1796000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION claim_idempotency_key(p_scope uuid, p_key text, p_ttl_hours int)
      RETURNS TABLE (locked boolean, request_hash text, response_body jsonb)
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        IF NOT pg_try_advisory_xact_lock(hashtextextended('idempotency-key:' || p_scope || ':' || p_key, 0)) THEN
          RETURN QUERY SELECT false, NULL::text, NULL::jsonb;
          RETURN;
        END IF;
        RETURN QUERY SELECT true, k.request_hash, k.response_body FROM idempotency_keys k
          WHERE k.scope = p_scope AND k.key = p_key AND k.created_at > now() - make_interval(hours => p_ttl_hours);
        IF NOT FOUND THEN
          RETURN QUERY SELECT true, NULL::text, NULL::jsonb;
        END IF;
      END $$`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION claim_idempotency_key(uuid, text, int)`);
  }
}
