import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tells every API process's session cache (src/auth/session-cache.ts) which sessions and users changed, on
 * commit: a revoked or deleted session (`session:<id>`), a user whose role changed or who was removed
 * (`user:<id>`). Triggers, so that every path notifies, cascades and an operator's SQL included.
 */
export class SessionsNotify1796100000000 implements MigrationInterface {
  name = 'SessionsNotify1796100000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE FUNCTION "auth_notify_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify('auth_changed', TG_ARGV[0] || ':' || OLD.id);
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "sessions_notify" AFTER UPDATE OR DELETE ON "sessions"
       FOR EACH ROW EXECUTE FUNCTION "auth_notify_changed"('session')`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "users_notify" AFTER UPDATE OF "role", "organization_id" OR DELETE ON "users"
       FOR EACH ROW EXECUTE FUNCTION "auth_notify_changed"('user')`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "users_notify" ON "users"`);
    await queryRunner.query(`DROP TRIGGER "sessions_notify" ON "sessions"`);
    await queryRunner.query(`DROP FUNCTION "auth_notify_changed"()`);
  }
}
