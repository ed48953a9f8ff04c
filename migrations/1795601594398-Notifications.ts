import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1795601594398 implements MigrationInterface {
  name = 'Notifications1795601594398';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "notifications" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "organization_id" uuid NOT NULL, "user_id" uuid NOT NULL, "type" text NOT NULL, "message" text NOT NULL, "data" jsonb NOT NULL, "read_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_7ed4596a72b2a5dd4e4c8e3790" CHECK (type IN ('invoice.paid', 'payment.failed', 'invoice.overdue', 'webhook_endpoint.disabled')), CONSTRAINT "PK_6a72c3c0f683f6462415e653c3a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "notifications_unread" ON "notifications"  ("user_id", "id") WHERE read_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_42a3b53ed1260d584bca380188" ON "notifications"  ("user_id", "id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "FK_cb7b1fb018b296f2107e998b2ff" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "notifications" ADD CONSTRAINT "FK_9a8a82462cab47c73d25f49261f" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "FK_9a8a82462cab47c73d25f49261f"`);
    await queryRunner.query(`ALTER TABLE "notifications" DROP CONSTRAINT "FK_cb7b1fb018b296f2107e998b2ff"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_42a3b53ed1260d584bca380188"`);
    await queryRunner.query(`DROP INDEX "public"."notifications_unread"`);
    await queryRunner.query(`DROP TABLE "notifications"`);
  }
}
