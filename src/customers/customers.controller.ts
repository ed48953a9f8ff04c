import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequireRole } from '../common/auth/access.decorators.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { ApiProblems } from '../common/http/api-problems.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { Page } from '../common/pagination/pagination.js';
import { CustomersService } from './customers.service.js';
import {
  CreateCustomerDto,
  CustomerPageDto,
  CustomerResponseDto,
  CustomerWithBalancesResponseDto,
  ListCustomersQueryDto,
  UpdateCustomerDto,
} from './dto/customer.dto.js';

@ApiTags('customers')
@Controller('v1/customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Post()
  @RequireRole('member')
  @ApiCreatedResponse({ type: CustomerResponseDto })
  @ApiProblems(400)
  createCustomer(
    @CurrentUser() user: AuthUser,
    @Body() dto: CreateCustomerDto,
  ): Promise<CustomerResponseDto> {
    return this.customers.create(user, dto);
  }

  @Get()
  @RequireRole('viewer')
  @ApiOkResponse({ type: CustomerPageDto })
  @ApiProblems(400)
  listCustomers(
    @CurrentUser() user: AuthUser,
    @Query() query: ListCustomersQueryDto,
  ): Promise<Page<CustomerResponseDto>> {
    return this.customers.list(user, query);
  }

  @Get(':id')
  @RequireRole('viewer')
  @ApiOkResponse({ type: CustomerWithBalancesResponseDto })
  @ApiProblems(400, 404)
  getCustomer(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<CustomerWithBalancesResponseDto> {
    return this.customers.get(user, id);
  }

  @Patch(':id')
  @RequireRole('member')
  @ApiOkResponse({ type: CustomerResponseDto })
  @ApiProblems(400, 404)
  updateCustomer(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: UpdateCustomerDto,
  ): Promise<CustomerResponseDto> {
    return this.customers.update(user, id, dto);
  }

  @Post(':id/archive')
  @HttpCode(200)
  @RequireRole('member')
  @ApiOkResponse({
    type: CustomerResponseDto,
    description: 'Hidden from the default list; kept with its history',
  })
  @ApiProblems(400, 404)
  archiveCustomer(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<CustomerResponseDto> {
    return this.customers.archive(user, id);
  }

  @Post(':id/unarchive')
  @HttpCode(200)
  @RequireRole('member')
  @ApiOkResponse({ type: CustomerResponseDto })
  @ApiProblems(400, 404)
  unarchiveCustomer(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<CustomerResponseDto> {
    return this.customers.unarchive(user, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('admin')
  @ApiNoContentResponse()
  @ApiProblems(400, 404, 409)
  deleteCustomer(@CurrentUser() user: AuthUser, @Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.customers.remove(user, id);
  }
}
