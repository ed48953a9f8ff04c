import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsNotEmpty, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsMinorUnits } from '../../common/http/money-validators.js';
import { PageQueryDto } from '../../common/pagination/pagination.js';
import { INVOICE_STATUSES, type InvoiceStatus } from '../../invoices/invoice-status.js';
import type { Invoice } from '../../invoices/invoice.entity.js';
import {
  PAYMENT_METHODS,
  PAYMENT_STATUSES,
  type Payment,
  type PaymentMethod,
  type PaymentStatus,
} from '../payment.entity.js';

export class CreatePaymentDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() invoiceId!: string;

  @ApiProperty({ example: 5000, description: "Minor units of the invoice's currency; at most what is due" })
  @IsMinorUnits({ min: 1 })
  amount!: number;

  @ApiProperty({ enum: PAYMENT_METHODS }) @IsIn(PAYMENT_METHODS) method!: PaymentMethod;

  @ApiPropertyOptional({ example: 'Wire 2026-11-25 #8812' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  reference?: string;

  @ApiPropertyOptional({
    example: '2026-11-25T10:00:00Z',
    description: 'When the money arrived; default now',
  })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  paidAt?: string;
}

export class CreateRefundDto {
  @ApiPropertyOptional({ example: 2000, description: 'Default: everything not refunded yet' })
  @IsOptional()
  @IsMinorUnits({ min: 1 })
  amount?: number;

  @ApiPropertyOptional({ example: 'Duplicate charge' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason?: string;
}

export class ListPaymentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() invoiceId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() customerId?: string;
  @ApiPropertyOptional({ enum: PAYMENT_STATUSES })
  @IsOptional()
  @IsIn(PAYMENT_STATUSES)
  status?: PaymentStatus;
}

export class RefundResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 2000 }) amount!: number;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty() createdAt!: Date;
}

/** The invoice a payment went to, as it stands after the payment. */
export class PaymentInvoiceDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true, example: 'INV-000042' }) number!: string | null;
  @ApiProperty({ enum: INVOICE_STATUSES }) status!: InvoiceStatus;
  @ApiProperty({ example: 20374 }) total!: number;
  @ApiProperty({ example: 5000 }) amountPaid!: number;
  @ApiProperty({ example: 15374 }) amountDue!: number;
}

export class PaymentResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) invoiceId!: string;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ example: 5000 }) amount!: number;
  @ApiProperty({ example: 0 }) amountRefunded!: number;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ enum: PAYMENT_STATUSES }) status!: PaymentStatus;
  @ApiProperty({ enum: PAYMENT_METHODS }) method!: PaymentMethod;
  @ApiProperty({ type: String, nullable: true }) reference!: string | null;
  @ApiProperty() paidAt!: Date;
  @ApiProperty({ type: String, nullable: true, example: 'stripe' }) provider!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'pi_3Nx…' }) providerPaymentId!: string | null;
  @ApiProperty({ type: String, nullable: true }) failureMessage!: string | null;
  @ApiProperty({ type: [RefundResponseDto] }) refunds!: RefundResponseDto[];
  @ApiProperty({ type: PaymentInvoiceDto }) invoice!: PaymentInvoiceDto;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class PaymentPageDto {
  @ApiProperty({ type: [PaymentResponseDto] }) data!: PaymentResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

/** The payment as the API shows it; `invoice` and `refunds` must be loaded. */
export function toPaymentResponse(payment: Payment): PaymentResponseDto {
  const invoice = payment.invoice as Invoice;
  return {
    id: payment.id,
    invoiceId: payment.invoiceId,
    customerId: payment.customerId,
    amount: payment.amount,
    amountRefunded: payment.amountRefunded,
    currency: payment.currency,
    status: payment.status,
    method: payment.method,
    reference: payment.reference,
    paidAt: payment.paidAt,
    provider: payment.provider,
    providerPaymentId: payment.providerPaymentId,
    failureMessage: payment.failureMessage,
    refunds: [...(payment.refunds ?? [])]
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((refund) => ({
        id: refund.id,
        amount: refund.amount,
        reason: refund.reason,
        createdAt: refund.createdAt,
      })),
    invoice: {
      id: invoice.id,
      number: invoice.number,
      status: invoice.status,
      total: invoice.total,
      amountPaid: invoice.amountPaid,
      amountDue: invoice.amountDue,
    },
    createdAt: payment.createdAt,
    updatedAt: payment.updatedAt,
  };
}
