import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Invoices1795599646202 implements MigrationInterface {
  name = 'Invoices1795599646202';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "invoices" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "organization_id" uuid NOT NULL, "customer_id" uuid NOT NULL, "number" text, "status" text NOT NULL, "currency" character(3) NOT NULL, "issue_date" date, "due_date" date, "days_until_due" integer, "subtotal" bigint NOT NULL, "discount_total" bigint NOT NULL, "tax_total" bigint NOT NULL, "total" bigint NOT NULL, "amount_paid" bigint NOT NULL DEFAULT '0', "amount_due" bigint NOT NULL, "notes" text, "footer" text, "metadata" jsonb NOT NULL DEFAULT '{}', "customer_snapshot" jsonb, "seller_snapshot" jsonb, "finalized_at" TIMESTAMP WITH TIME ZONE, "sent_at" TIMESTAMP WITH TIME ZONE, "paid_at" TIMESTAMP WITH TIME ZONE, "voided_at" TIMESTAMP WITH TIME ZONE, "marked_uncollectible_at" TIMESTAMP WITH TIME ZONE, "overdue_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "CHK_4c45b5a23d339757e49f29e1f4" CHECK (amount_paid >= 0 AND amount_due >= 0 AND amount_paid + amount_due = total), CONSTRAINT "CHK_79590bb4e08384b8d9fac7149b" CHECK (subtotal >= 0 AND discount_total >= 0 AND tax_total >= 0 AND total >= 0 AND total <= 9007199254740991), CONSTRAINT "CHK_164d51c595f85f7ba5a2006517" CHECK ((status = 'draft') = (number IS NULL)), CONSTRAINT "CHK_696945ee51db222139ce997078" CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible')), CONSTRAINT "PK_668cef7c22a427fd822cc1be3ce" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_ab92e1666cb1b3870198cb92ab" ON "invoices"  ("organization_id", "number") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_4bcb4284b943544406301ab0e7" ON "invoices"  ("organization_id", "due_date") WHERE status = 'open'`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_11183cae48997795121b49ed8e" ON "invoices"  ("organization_id", "issue_date") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_15be3e3476d55f87fabf0f5644" ON "invoices"  ("organization_id", "customer_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_4f11e08cf0056f79c1411652a4" ON "invoices"  ("organization_id", "status", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_2d05c7f81703d1b508bb4314bf" ON "invoices"  ("organization_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "invoices_overdue_pending" ON "invoices" ("due_date") WHERE status = 'open' AND overdue_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "invoices_number_trgm" ON "invoices" USING gin ("number" gin_trgm_ops)`,
    );
    await queryRunner.query(
      `CREATE TABLE "invoice_lines" ("id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "invoice_id" uuid NOT NULL, "position" integer NOT NULL, "description" text NOT NULL, "quantity" numeric(19,4) NOT NULL, "unit_amount" bigint NOT NULL, "discount_percent" numeric(7,4) NOT NULL DEFAULT '0', "tax_rate" numeric(7,4) NOT NULL DEFAULT '0', "amount" bigint NOT NULL, "discount_amount" bigint NOT NULL, "tax_amount" bigint NOT NULL, CONSTRAINT "CHK_77ec1a5aadf08ccea64f9125b7" CHECK (amount >= 0 AND discount_amount BETWEEN 0 AND amount AND tax_amount >= 0), CONSTRAINT "CHK_433b0a926f23e8b558f511cecf" CHECK (quantity > 0 AND unit_amount >= 0 AND discount_percent BETWEEN 0 AND 100 AND tax_rate BETWEEN 0 AND 100), CONSTRAINT "PK_3d18eb48142b916f581f0c21a65" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_5d7d64cb2e3739cfa97ca6c618" ON "invoice_lines"  ("invoice_id", "position") `,
    );
    await queryRunner.query(
      `ALTER TABLE "organizations" ADD "next_invoice_number" integer NOT NULL DEFAULT '1'`,
    );
    await queryRunner.query(
      `ALTER TABLE "invoices" ADD CONSTRAINT "FK_d4e095bcd100de447d3c27708f9" FOREIGN KEY ("organization_id") REFERENCES "organizations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "invoices" ADD CONSTRAINT "FK_65e3145f317bd655481d3f96c74" FOREIGN KEY ("customer_id") REFERENCES "customers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "invoice_lines" ADD CONSTRAINT "FK_2da95dc86a54a00ff20ce46d0fe" FOREIGN KEY ("invoice_id") REFERENCES "invoices"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "invoice_lines" DROP CONSTRAINT "FK_2da95dc86a54a00ff20ce46d0fe"`);
    await queryRunner.query(`ALTER TABLE "invoices" DROP CONSTRAINT "FK_65e3145f317bd655481d3f96c74"`);
    await queryRunner.query(`ALTER TABLE "invoices" DROP CONSTRAINT "FK_d4e095bcd100de447d3c27708f9"`);
    await queryRunner.query(`ALTER TABLE "organizations" DROP COLUMN "next_invoice_number"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_5d7d64cb2e3739cfa97ca6c618"`);
    await queryRunner.query(`DROP TABLE "invoice_lines"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_2d05c7f81703d1b508bb4314bf"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_4f11e08cf0056f79c1411652a4"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_15be3e3476d55f87fabf0f5644"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_11183cae48997795121b49ed8e"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_4bcb4284b943544406301ab0e7"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_ab92e1666cb1b3870198cb92ab"`);
    await queryRunner.query(`DROP INDEX "public"."invoices_overdue_pending"`);
    await queryRunner.query(`DROP INDEX "public"."invoices_number_trgm"`);
    await queryRunner.query(`DROP TABLE "invoices"`);
  }
}
