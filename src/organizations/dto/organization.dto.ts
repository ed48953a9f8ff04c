import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { type Address, AddressDto } from '../../common/http/address.dto.js';
import { IsCurrencyCode } from '../../common/http/currency.js';
import { IsOmittable } from '../../common/http/omittable.js';
import { type Organization, PDF_PAGE_SIZES, type PdfPageSize } from '../organization.entity.js';

export class OrganizationResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Acme' }) name!: string;
  @ApiProperty({ type: String, nullable: true, example: 'Acme Corporation Ltd' }) legalName!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'billing@acme.test' }) email!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'GB123456789' }) taxId!: string | null;
  @ApiProperty({ type: AddressDto, nullable: true }) address!: Address | null;
  @ApiProperty({ example: 'USD' }) defaultCurrency!: string;
  @ApiProperty({ example: 'INV-' }) invoiceNumberPrefix!: string;
  @ApiProperty({ enum: PDF_PAGE_SIZES }) pdfPageSize!: PdfPageSize;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export function toOrganizationResponse(organization: Organization): OrganizationResponseDto {
  return {
    id: organization.id,
    name: organization.name,
    legalName: organization.legalName,
    email: organization.email,
    taxId: organization.taxId,
    address: organization.address,
    defaultCurrency: organization.defaultCurrency,
    invoiceNumberPrefix: organization.invoiceNumberPrefix,
    pdfPageSize: organization.pdfPageSize,
    createdAt: organization.createdAt,
    updatedAt: organization.updatedAt,
  };
}

/** The seller profile; every field optional, `null` clears an optional one. */
export class UpdateOrganizationDto {
  @ApiPropertyOptional() @IsOmittable() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  legalName?: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsEmail() @MaxLength(320) email?:
    string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() @MaxLength(50) taxId?:
    string | null;
  @ApiPropertyOptional({ type: AddressDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => AddressDto)
  address?: AddressDto | null;
  @ApiPropertyOptional({ example: 'EUR' }) @IsOmittable() @IsCurrencyCode() defaultCurrency?: string;
  @ApiPropertyOptional({ example: 'ACME-', description: 'Letters, digits, "-", "_" or "/"; up to 20' })
  @IsOmittable()
  @Matches(/^[A-Za-z0-9\-_/]{0,20}$/, {
    message: 'invoiceNumberPrefix must be up to 20 letters, digits, "-", "_" or "/"',
  })
  invoiceNumberPrefix?: string;
  @ApiPropertyOptional({ enum: PDF_PAGE_SIZES })
  @IsOmittable()
  @IsIn(PDF_PAGE_SIZES)
  pdfPageSize?: PdfPageSize;
}
