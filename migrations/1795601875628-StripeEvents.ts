import type { MigrationInterface, QueryRunner } from 'typeorm';

export class StripeEvents1795601875628 implements MigrationInterface {
  name = 'StripeEvents1795601875628';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "stripe_events" ("id" text NOT NULL, "type" text NOT NULL, "outcome" text NOT NULL, "reason" text, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "CHK_63c4eb04a308304e8f6c2ed212" CHECK (outcome IN ('received', 'applied', 'duplicate', 'ignored')), CONSTRAINT "PK_d3247bd5fc3f66b6982bbcdd897" PRIMARY KEY ("id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "stripe_events"`);
  }
}
