import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { type Address, AddressDto } from '../../common/http/address.dto.js';
import { IsCurrencyCode } from '../../common/http/currency.js';
import { IsOmittable } from '../../common/http/omittable.js';
import { IsStringMap } from '../../common/http/string-map.js';
import { QueryBoolean } from '../../common/http/query-boolean.js';
import { PageQueryDto } from '../../common/pagination/pagination.js';
import type { Customer } from '../customer.entity.js';

/** The optional fields, shared by create and update; `null` clears one. */
class CustomerDetailsDto {
  @ApiPropertyOptional({ type: String, nullable: true, example: '+1 555 0100' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  phone?: string | null;
  @ApiPropertyOptional({ type: AddressDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => AddressDto)
  address?: AddressDto | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'DE123456789' })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  taxId?: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'EUR',
    description: 'Default for new invoices',
  })
  @IsOptional()
  @IsCurrencyCode()
  currency?: string | null;
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { crmId: '42' } })
  @IsOmittable()
  @IsStringMap()
  metadata?: Record<string, string>;
}

export class CreateCustomerDto extends CustomerDetailsDto {
  @ApiProperty({ example: 'Globex Corporation' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
  @ApiProperty({ example: 'ap@globex.test' }) @IsEmail() @MaxLength(320) email!: string;
}

/** Every field optional. */
export class UpdateCustomerDto extends CustomerDetailsDto {
  @ApiPropertyOptional({ example: 'Globex Corporation' })
  @IsOmittable()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'ap@globex.test' })
  @IsOmittable()
  @IsEmail()
  @MaxLength(320)
  email?: string;
}

export class ListCustomersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Matches name or email, case-insensitively' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ description: 'true lists archived customers only; default lists active ones' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  archived?: boolean;
}

export class CustomerResponseDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'Globex Corporation' }) name!: string;
  @ApiProperty({ example: 'ap@globex.test' }) email!: string;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty({ type: AddressDto, nullable: true }) address!: Address | null;
  @ApiProperty({ type: String, nullable: true }) taxId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'EUR' }) currency!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) metadata!: Record<
    string,
    string
  >;
  @ApiProperty() archived!: boolean;
  @ApiProperty({ type: Date, nullable: true }) archivedAt!: Date | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty() updatedAt!: Date;
}

export class CustomerBalanceDto {
  @ApiProperty({ example: 'USD' }) currency!: string;
  @ApiProperty({ example: 20374, description: 'Due on open and uncollectible invoices, minor units' })
  outstanding!: number;
  @ApiProperty({ example: 0, description: 'Due on open invoices past their due date' }) overdue!: number;
  @ApiProperty({ example: 5000, description: 'Paid on its invoices' }) paid!: number;
}

export class CustomerWithBalancesResponseDto extends CustomerResponseDto {
  @ApiProperty({ type: [CustomerBalanceDto], description: 'One entry per currency it has been invoiced in' })
  balances!: CustomerBalanceDto[];
}

export class CustomerPageDto {
  @ApiProperty({ type: [CustomerResponseDto] }) data!: CustomerResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export function toCustomerResponse(customer: Customer): CustomerResponseDto {
  return {
    id: customer.id,
    name: customer.name,
    email: customer.email,
    phone: customer.phone,
    address: customer.address,
    taxId: customer.taxId,
    currency: customer.currency,
    metadata: customer.metadata,
    archived: customer.archivedAt !== null,
    archivedAt: customer.archivedAt,
    createdAt: customer.createdAt,
    updatedAt: customer.updatedAt,
  };
}
