import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The request id of a change on its event and on the PDF render it asked for, to trace it end to end. */
export class RequestIds1795612069606 implements MigrationInterface {
  name = 'RequestIds1795612069606';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "events" ADD "request_id" text`);
    await queryRunner.query(`ALTER TABLE "invoices" ADD "pdf_request_id" text`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "invoices" DROP COLUMN "pdf_request_id"`);
    await queryRunner.query(`ALTER TABLE "events" DROP COLUMN "request_id"`);
  }
}
