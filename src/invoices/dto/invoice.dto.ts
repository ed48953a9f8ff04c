import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  registerDecorator,
  ValidateNested,
} from 'class-validator';
import { AddressDto } from '../../common/http/address.dto.js';
import { IsCurrencyCode } from '../../common/http/currency.js';
import { IsDecimalNumber, IsMinorUnits } from '../../common/http/money-validators.js';
import { IsOmittable } from '../../common/http/omittable.js';
import { IsStringMap } from '../../common/http/string-map.js';
import { QueryBoolean } from '../../common/http/query-boolean.js';
import { PageQueryDto } from '../../common/pagination/pagination.js';
import { type CalendarDate, isCalendarDate, isOverdue, todayUtc } from '../invoice-dates.js';
import {
  allowedActions,
  INVOICE_ACTIONS,
  INVOICE_STATUSES,
  type InvoiceAction,
  type InvoiceStatus,
} from '../invoice-status.js';
import { buyerOf } from '../invoice-parties.js';
import { invoicePdfPath, PDF_STATUSES, type PdfStatus } from '../invoice-pdf.js';
import type { Invoice } from '../invoice.entity.js';

export const MAX_LINES = 250;

function IsCalendarDate(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must be a date as YYYY-MM-DD, between 1900 and 2999` },
      validator: { validate: isCalendarDate },
    });
}

export class LineItemDto {
  @ApiProperty({ example: 'Consulting, October' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  description!: string;

  @ApiProperty({ example: 1.5, description: 'Greater than 0, up to 4 decimals' })
  @IsDecimalNumber({ maxPlaces: 4, min: 0, exclusiveMin: true, max: 1_000_000_000 })
  quantity!: number;

  @ApiProperty({ example: 12000, description: 'Price of one unit in minor units (12000 = 120.00 USD)' })
  @IsMinorUnits()
  unitAmount!: number;

  @ApiPropertyOptional({ example: 10, description: 'Percent, 0–100, up to 4 decimals', default: 0 })
  @IsOmittable()
  @IsDecimalNumber({ maxPlaces: 4, min: 0, max: 100 })
  discountPercent?: number;

  @ApiPropertyOptional({ example: 19.6, description: 'Percent, 0–100, up to 4 decimals', default: 0 })
  @IsOmittable()
  @IsDecimalNumber({ maxPlaces: 4, min: 0, max: 100 })
  taxRate?: number;
}

/** What a draft holds besides its customer; every field may be left out, and `null` clears an optional one. */
class InvoiceDraftFieldsDto {
  @ApiPropertyOptional({ example: 'USD', description: "Defaults to the customer's, then the organization's" })
  @IsOmittable()
  @IsCurrencyCode()
  currency?: string;

  @ApiPropertyOptional({ type: [LineItemDto], maxItems: MAX_LINES })
  @IsOmittable()
  @IsArray()
  @ArrayMaxSize(MAX_LINES)
  @ValidateNested({ each: true })
  @Type(() => LineItemDto)
  lineItems?: LineItemDto[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '2026-11-25',
    description: 'Default: the finalize date',
  })
  @IsOptional()
  @IsCalendarDate()
  issueDate?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '2026-12-25',
    description: 'Or daysUntilDue, not both',
  })
  @IsOptional()
  @IsCalendarDate()
  dueDate?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 30,
    description: 'Default 30 when no dueDate',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3650)
  daysUntilDue?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @MaxLength(5000) notes?:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @MaxLength(2000) footer?:
    string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOmittable()
  @IsStringMap()
  metadata?: Record<string, string>;
}

export class CreateInvoiceDto extends InvoiceDraftFieldsDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() customerId!: string;
}

export class UpdateInvoiceDto extends InvoiceDraftFieldsDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOmittable() @IsUUID() customerId?: string;
}

export class ListInvoicesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: INVOICE_STATUSES })
  @IsOptional()
  @IsIn(INVOICE_STATUSES)
  status?: InvoiceStatus;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() customerId?: string;
  @ApiPropertyOptional({ description: 'true: open and past due; false: everything else' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  overdue?: boolean;
  @ApiPropertyOptional({ description: 'Matches the number or the customer name' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
  @ApiPropertyOptional({ example: '2026-01-01', description: 'issueDate on or after' })
  @IsOptional()
  @IsCalendarDate()
  issueDateFrom?: string;
  @ApiPropertyOptional({ example: '2026-12-31', description: 'issueDate on or before' })
  @IsOptional()
  @IsCalendarDate()
  issueDateTo?: string;
  @ApiPropertyOptional({ description: 'dueDate on or after' })
  @IsOptional()
  @IsCalendarDate()
  dueDateFrom?: string;
  @ApiPropertyOptional({ description: 'dueDate on or before' })
  @IsOptional()
  @IsCalendarDate()
  dueDateTo?: string;
}

/** The invoices of one customer: the same filters but the customer. */
export class ListCustomerInvoicesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: INVOICE_STATUSES })
  @IsOptional()
  @IsIn(INVOICE_STATUSES)
  status?: InvoiceStatus;
}

export class LineItemResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ example: 1.5 }) quantity!: number;
  @ApiProperty({ example: 12000 }) unitAmount!: number;
  @ApiProperty({ example: 10 }) discountPercent!: number;
  @ApiProperty({ example: 19.6 }) taxRate!: number;
  @ApiProperty({ example: 18000, description: 'quantity × unitAmount, rounded half-up' }) amount!: number;
  @ApiProperty({ example: 1800 }) discountAmount!: number;
  @ApiProperty({ example: 3175 }) taxAmount!: number;
}

export class InvoicePartyDto {
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ type: AddressDto, nullable: true }) address!: AddressDto | null;
  @ApiProperty({ type: String, nullable: true }) taxId!: string | null;
}

export class SellerDto extends InvoicePartyDto {
  @ApiProperty({ type: String, nullable: true }) legalName!: string | null;
}

export class StatusTransitionsDto {
  @ApiProperty({ type: Date, nullable: true }) finalizedAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) paidAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) voidedAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) markedUncollectibleAt!: Date | null;
}

export class InvoicePdfDto {
  @ApiProperty({ enum: PDF_STATUSES, description: 'pending while the PDF of the current version renders' })
  status!: PdfStatus;
  @ApiProperty({ type: String, nullable: true, description: 'sha256 (hex) of the PDF when ready; its ETag' })
  sha256!: string | null;
  @ApiProperty({ type: Date, nullable: true }) generatedAt!: Date | null;
  @ApiProperty({ example: '/v1/invoices/0193…/pdf', description: 'Relative to the API base URL' })
  url!: string;
}

export class InvoiceResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true, example: 'INV-000042' }) number!: string | null;
  @ApiProperty({ enum: INVOICE_STATUSES }) status!: InvoiceStatus;
  @ApiProperty({ format: 'uuid' }) customerId!: string;
  @ApiProperty({ type: InvoicePartyDto, description: 'Live for a draft; frozen at finalize' })
  customer!: InvoicePartyDto;
  @ApiProperty({ type: SellerDto, nullable: true, description: 'Frozen at finalize; null on a draft' })
  seller!: SellerDto | null;
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ type: String, nullable: true, example: '2026-11-25' }) issueDate!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2026-12-25' }) dueDate!: string | null;
  @ApiProperty({ type: Number, nullable: true }) daysUntilDue!: number | null;
  @ApiProperty({ type: [LineItemResponseDto] }) lineItems!: LineItemResponseDto[];
  @ApiProperty({ example: 18000 }) subtotal!: number;
  @ApiProperty({ example: 1800 }) discountTotal!: number;
  @ApiProperty({ example: 3175 }) taxTotal!: number;
  @ApiProperty({ example: 19375 }) total!: number;
  @ApiProperty({ example: 0 }) amountPaid!: number;
  @ApiProperty({ example: 19375 }) amountDue!: number;
  @ApiProperty({ type: String, nullable: true }) notes!: string | null;
  @ApiProperty({ type: String, nullable: true }) footer!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) metadata!: Record<
    string,
    string
  >;
  @ApiProperty({ description: 'Open and past its due date' }) overdue!: boolean;
  @ApiProperty({ enum: INVOICE_ACTIONS, isArray: true, example: ['update', 'finalize', 'delete'] })
  allowedActions!: InvoiceAction[];
  @ApiProperty({ type: StatusTransitionsDto }) statusTransitions!: StatusTransitionsDto;
  @ApiProperty({ type: Date, nullable: true }) sentAt!: Date | null;
  @ApiProperty({
    type: InvoicePdfDto,
    nullable: true,
    description: 'The stored PDF; null on a draft (GET its url for a preview)',
  })
  pdf!: InvoicePdfDto | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class InvoicePageDto {
  @ApiProperty({ type: [InvoiceResponseDto] }) data!: InvoiceResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

/** The invoice as the API shows it; `lines` and, for a draft, `customer` must be loaded. */
export function toInvoiceResponse(invoice: Invoice, today: CalendarDate = todayUtc()): InvoiceResponseDto {
  return {
    id: invoice.id,
    number: invoice.number,
    status: invoice.status,
    customerId: invoice.customerId,
    customer: buyerOf(invoice),
    seller: invoice.sellerSnapshot,
    currency: invoice.currency,
    issueDate: invoice.issueDate,
    dueDate: invoice.dueDate,
    daysUntilDue: invoice.daysUntilDue,
    lineItems: [...invoice.lines!]
      .sort((a, b) => a.position - b.position)
      .map((line) => ({
        id: line.id,
        description: line.description,
        quantity: line.quantity,
        unitAmount: line.unitAmount,
        discountPercent: line.discountPercent,
        taxRate: line.taxRate,
        amount: line.amount,
        discountAmount: line.discountAmount,
        taxAmount: line.taxAmount,
      })),
    subtotal: invoice.subtotal,
    discountTotal: invoice.discountTotal,
    taxTotal: invoice.taxTotal,
    total: invoice.total,
    amountPaid: invoice.amountPaid,
    amountDue: invoice.amountDue,
    notes: invoice.notes,
    footer: invoice.footer,
    metadata: invoice.metadata,
    overdue: isOverdue(invoice, today),
    allowedActions: allowedActions(invoice),
    statusTransitions: {
      finalizedAt: invoice.finalizedAt,
      paidAt: invoice.paidAt,
      voidedAt: invoice.voidedAt,
      markedUncollectibleAt: invoice.markedUncollectibleAt,
    },
    sentAt: invoice.sentAt,
    pdf: toInvoicePdf(invoice),
    createdAt: invoice.createdAt,
    updatedAt: invoice.updatedAt,
  };
}

export function toInvoicePdf(invoice: Invoice): InvoicePdfDto | null {
  if (!invoice.pdfStatus) return null;
  return {
    status: invoice.pdfStatus,
    sha256: invoice.pdfSha256,
    generatedAt: invoice.pdfGeneratedAt,
    url: invoicePdfPath(invoice.id),
  };
}
