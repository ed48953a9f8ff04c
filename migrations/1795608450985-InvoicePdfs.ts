import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Stored invoice PDFs and each invoice's PDF state; invoices issued before this get rendered. */
export class InvoicePdfs1795608450985 implements MigrationInterface {
  name = 'InvoicePdfs1795608450985';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "invoice_pdfs" ("invoice_id" uuid NOT NULL, "sha256" character(64) NOT NULL, "content" bytea NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_829f175d6a84f296c52ef064530" PRIMARY KEY ("invoice_id", "sha256"))`,
    );
    await queryRunner.query(`ALTER TABLE "invoices" ADD "pdf_status" text`);
    await queryRunner.query(`ALTER TABLE "invoices" ADD "pdf_version" integer NOT NULL DEFAULT '0'`);
    await queryRunner.query(`ALTER TABLE "invoices" ADD "pdf_sha256" character(64)`);
    await queryRunner.query(`ALTER TABLE "invoices" ADD "pdf_generated_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "invoices" ADD "pdf_queued_at" TIMESTAMP WITH TIME ZONE`);
    // Every issued invoice has a PDF: those issued before PDFs existed are queued for one.
    await queryRunner.query(
      `UPDATE "invoices" SET "pdf_status" = 'pending', "pdf_version" = 1 WHERE "status" <> 'draft'`,
    );
    await queryRunner.query(
      `CREATE INDEX "invoices_pdf_pending" ON "invoices"  ("pdf_queued_at") WHERE pdf_status = 'pending'`,
    );
    await queryRunner.query(
      `ALTER TABLE "invoices" ADD CONSTRAINT "CHK_ca9b77888c2756060c55f2338d" CHECK ((pdf_status = 'ready') = (pdf_sha256 IS NOT NULL))`,
    );
    await queryRunner.query(
      `ALTER TABLE "invoices" ADD CONSTRAINT "CHK_007b19bca05fa1b0fc8724ceb2" CHECK (pdf_status IN ('pending', 'ready', 'failed') AND (status = 'draft') = (pdf_status IS NULL))`,
    );
    await queryRunner.query(
      `ALTER TABLE "invoice_pdfs" ADD CONSTRAINT "FK_a52232dfd8e5c2c68193f49c91a" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "invoice_pdfs" DROP CONSTRAINT "FK_a52232dfd8e5c2c68193f49c91a"`);
    await queryRunner.query(`ALTER TABLE "invoices" DROP CONSTRAINT "CHK_007b19bca05fa1b0fc8724ceb2"`);
    await queryRunner.query(`ALTER TABLE "invoices" DROP CONSTRAINT "CHK_ca9b77888c2756060c55f2338d"`);
    await queryRunner.query(`DROP INDEX "public"."invoices_pdf_pending"`);
    await queryRunner.query(`ALTER TABLE "invoices" DROP COLUMN "pdf_queued_at"`);
    await queryRunner.query(`ALTER TABLE "invoices" DROP COLUMN "pdf_generated_at"`);
    await queryRunner.query(`ALTER TABLE "invoices" DROP COLUMN "pdf_sha256"`);
    await queryRunner.query(`ALTER TABLE "invoices" DROP COLUMN "pdf_version"`);
    await queryRunner.query(`ALTER TABLE "invoices" DROP COLUMN "pdf_status"`);
    await queryRunner.query(`DROP TABLE "invoice_pdfs"`);
  }
}
