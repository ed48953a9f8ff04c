import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Wakes the outbox relay (webhooks/relay) when events commit: one NOTIFY per inserting statement. */
export class EventsNotify1795603055914 implements MigrationInterface {
  name = 'EventsNotify1795603055914';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE FUNCTION "events_notify_inserted"() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify('events_inserted', '');
         RETURN NULL;
       END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "events_notify" AFTER INSERT ON "events" FOR EACH STATEMENT EXECUTE FUNCTION "events_notify_inserted"()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "events_notify" ON "events"`);
    await queryRunner.query(`DROP FUNCTION "events_notify_inserted"()`);
  }
}
