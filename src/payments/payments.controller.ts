import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, RequireRole } from '../common/auth/access.decorators.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { ApiProblems } from '../common/http/api-problems.decorator.js';
import { UuidParamPipe } from '../common/http/uuid-param.pipe.js';
import type { Page } from '../common/pagination/pagination.js';
import {
  CreatePaymentDto,
  CreateRefundDto,
  ListPaymentsQueryDto,
  PaymentPageDto,
  PaymentResponseDto,
} from './dto/payment.dto.js';
import { PaymentsService } from './payments.service.js';

@ApiTags('payments')
@Controller('v1/payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post()
  @RequireRole('member')
  @ApiOperation({ summary: 'Record a payment on an open or uncollectible invoice; at most what is due' })
  @ApiCreatedResponse({ type: PaymentResponseDto })
  @ApiProblems(400, 404, 409, 422)
  createPayment(@CurrentUser() user: AuthUser, @Body() dto: CreatePaymentDto): Promise<PaymentResponseDto> {
    return this.payments.create(user, dto);
  }

  @Get()
  @RequireRole('viewer')
  @ApiOkResponse({ type: PaymentPageDto })
  @ApiProblems(400)
  listPayments(
    @CurrentUser() user: AuthUser,
    @Query() query: ListPaymentsQueryDto,
  ): Promise<Page<PaymentResponseDto>> {
    return this.payments.list(user, query);
  }

  @Get(':id')
  @RequireRole('viewer')
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiProblems(400, 404)
  getPayment(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<PaymentResponseDto> {
    return this.payments.get(user, id);
  }

  @Post(':id/refunds')
  @RequireRole('admin')
  @ApiOperation({ summary: 'Refund all that is left on the payment, or an amount; a paid invoice reopens' })
  @ApiCreatedResponse({ type: PaymentResponseDto, description: 'The payment, with the new refund' })
  @ApiProblems(400, 404, 409, 422)
  refundPayment(
    @CurrentUser() user: AuthUser,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: CreateRefundDto,
  ): Promise<PaymentResponseDto> {
    return this.payments.refund(user, id, dto);
  }
}
