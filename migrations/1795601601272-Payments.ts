import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Payments1795601601272 implements MigrationInterface {
  name = 'Payments1795601601272';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "refunds" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "organization_id" uuid NOT NULL, "payment_id" uuid NOT NULL, "amount" bigint NOT NULL, "reason" text, CONSTRAINT "CHK_faa4ebdd68fa7edc8f9723fe88" CHECK (amount > 0), CONSTRAINT "PK_5106efb01eeda7e49a78b869738" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_97e77d4e63f8688486dbc02f33" ON "refunds"  ("payment_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "payments" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "organization_id" uuid NOT NULL, "invoice_id" uuid NOT NULL, "customer_id" uuid NOT NULL, "amount" bigint NOT NULL, "amount_refunded" bigint NOT NULL DEFAULT '0', "currency" character(3) NOT NULL, "status" text NOT NULL, "method" text NOT NULL, "reference" text, "paid_at" TIMESTAMP WITH TIME ZONE NOT NULL, "provider" text, "provider_payment_id" text, "failure_message" text, CONSTRAINT "CHK_7b97682b841eb9c27a99f2dbcc" CHECK (amount > 0 AND amount_refunded >= 0 AND amount_refunded <= amount), CONSTRAINT "CHK_6ce5acc012cc695e3f3b6e002a" CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded', 'partially_refunded')), CONSTRAINT "PK_197ab7af18c93fbb0c9b28b4a59" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_8c23d86fc8afd4c1398b80c62e" ON "payments"  ("provider", "provider_payment_id") WHERE provider_payment_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_7cb6876d8fb5182b85feee7e45" ON "payments"  ("organization_id", "status", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_1c2f797aca2995db5c3edba5c5" ON "payments"  ("organization_id", "customer_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_bee0cc7920d207fe64b74bc914" ON "payments"  ("organization_id", "invoice_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_602879709e9797d373254e5adb" ON "payments"  ("organization_id", "id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "refunds" ADD CONSTRAINT "FK_54028e29d6a3aaef1cf313b0063" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "refunds" ADD CONSTRAINT "FK_7f48aa5d56c42aeb495db016683" FOREIGN KEY ("payment_id") REFERENCES "payments"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "payments" ADD CONSTRAINT "FK_fc07ace491143726974991711f2" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "payments" ADD CONSTRAINT "FK_563a5e248518c623eebd987d43e" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "payments" DROP CONSTRAINT "FK_563a5e248518c623eebd987d43e"`);
    await queryRunner.query(`ALTER TABLE "payments" DROP CONSTRAINT "FK_fc07ace491143726974991711f2"`);
    await queryRunner.query(`ALTER TABLE "refunds" DROP CONSTRAINT "FK_7f48aa5d56c42aeb495db016683"`);
    await queryRunner.query(`ALTER TABLE "refunds" DROP CONSTRAINT "FK_54028e29d6a3aaef1cf313b0063"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_602879709e9797d373254e5adb"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_bee0cc7920d207fe64b74bc914"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_1c2f797aca2995db5c3edba5c5"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_7cb6876d8fb5182b85feee7e45"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_8c23d86fc8afd4c1398b80c62e"`);
    await queryRunner.query(`DROP TABLE "payments"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_97e77d4e63f8688486dbc02f33"`);
    await queryRunner.query(`DROP TABLE "refunds"`);
  }
}
