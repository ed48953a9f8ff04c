import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser, RequireRole } from '../common/auth/access.decorators.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { ApiProblems } from '../common/http/api-problems.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { Page } from '../common/pagination/pagination.js';
import {
  CreateInvoiceDto,
  InvoicePageDto,
  InvoiceResponseDto,
  ListCustomerInvoicesQueryDto,
  ListInvoicesQueryDto,
  UpdateInvoiceDto,
} from './dto/invoice.dto.js';
import { InvoicesService } from './invoices.service.js';

@ApiTags('invoices')
@Controller('v1/invoices')
export class InvoicesController {
  constructor(private readonly invoices: InvoicesService) {}

  @Post()
  @RequireRole('member')
  @ApiOperation({ summary: 'Create a draft; the server computes every amount' })
  @ApiCreatedResponse({ type: InvoiceResponseDto })
  @ApiProblems(400, 404, 422)
  createInvoice(@CurrentUser() user: AuthUser, @Body() dto: CreateInvoiceDto): Promise<InvoiceResponseDto> {
    return this.invoices.create(user, dto);
  }

  @Get()
  @RequireRole('viewer')
  @ApiOkResponse({ type: InvoicePageDto })
  @ApiProblems(400)
  listInvoices(
    @CurrentUser() user: AuthUser,
    @Query() query: ListInvoicesQueryDto,
  ): Promise<Page<InvoiceResponseDto>> {
    return this.invoices.list(user, query);
  }

  @Get(':id')
  @RequireRole('viewer')
  @ApiOkResponse({ type: InvoiceResponseDto })
  @ApiProblems(400, 404)
  getInvoice(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<InvoiceResponseDto> {
    return this.invoices.get(user, id);
  }

  @Patch(':id')
  @RequireRole('member')
  @ApiOperation({ summary: 'Edit a draft; lineItems, when given, replace all lines' })
  @ApiOkResponse({ type: InvoiceResponseDto })
  @ApiProblems(400, 404, 409, 422)
  updateInvoice(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: UpdateInvoiceDto,
  ): Promise<InvoiceResponseDto> {
    return this.invoices.update(user, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('admin')
  @ApiOperation({ summary: 'Delete a draft' })
  @ApiNoContentResponse()
  @ApiProblems(400, 404, 409)
  deleteInvoice(@CurrentUser() user: AuthUser, @Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.invoices.remove(user, id);
  }

  @Post(':id/finalize')
  @HttpCode(200)
  @RequireRole('member')
  @ApiOperation({ summary: 'Issue a draft: next number, dates, customer and seller frozen' })
  @ApiOkResponse({ type: InvoiceResponseDto })
  @ApiProblems(400, 404, 409, 422)
  finalizeInvoice(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<InvoiceResponseDto> {
    return this.invoices.finalize(user, id);
  }

  @Post(':id/send')
  @HttpCode(200)
  @RequireRole('member')
  @ApiOperation({ summary: 'Record that the invoice was sent (sentAt)' })
  @ApiOkResponse({ type: InvoiceResponseDto })
  @ApiProblems(400, 404, 409)
  sendInvoice(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<InvoiceResponseDto> {
    return this.invoices.send(user, id);
  }

  @Post(':id/void')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOkResponse({ type: InvoiceResponseDto })
  @ApiProblems(400, 404, 409)
  voidInvoice(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<InvoiceResponseDto> {
    return this.invoices.void(user, id);
  }

  @Post(':id/mark-uncollectible')
  @HttpCode(200)
  @RequireRole('admin')
  @ApiOkResponse({ type: InvoiceResponseDto })
  @ApiProblems(400, 404, 409)
  markInvoiceUncollectible(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<InvoiceResponseDto> {
    return this.invoices.markUncollectible(user, id);
  }
}

@ApiTags('customers')
@Controller('v1/customers')
export class CustomerInvoicesController {
  constructor(private readonly invoices: InvoicesService) {}

  @Get(':id/invoices')
  @RequireRole('viewer')
  @ApiOperation({ summary: "The customer's invoice history, newest first" })
  @ApiOkResponse({ type: InvoicePageDto })
  @ApiProblems(400, 404)
  listCustomerInvoices(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
    @Query() query: ListCustomerInvoicesQueryDto,
  ): Promise<Page<InvoiceResponseDto>> {
    return this.invoices.listForCustomer(user, id, query);
  }
}
