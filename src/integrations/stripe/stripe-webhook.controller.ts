import { Controller, HttpCode, Post, type RawBodyRequest, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../common/auth/access.decorators.js';
import { PROBLEM_CONTENT_TYPE } from '../../common/errors/problem.js';
import { NotIdempotent } from '../../idempotency/idempotency.decorators.js';
import { StripeWebhookResponseDto } from './dto/stripe-webhook.dto.js';
import { StripeWebhookService } from './stripe-webhook.service.js';

const ApiProblem = (status: number, description: string) =>
  ApiResponse({
    status,
    description,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' } } },
  });

@ApiTags('integrations')
@Controller('v1/integrations/stripe')
export class StripeWebhookController {
  constructor(private readonly stripe: StripeWebhookService) {}

  @Post('webhook')
  @Public()
  @NotIdempotent()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Receive a Stripe event (called by Stripe, not by clients)',
    description:
      'Authenticated by the Stripe-Signature header (STRIPE_WEBHOOK_SECRET, 5 minutes tolerance), not a ' +
      'bearer token. Applies payment_intent.succeeded, payment_intent.payment_failed and charge.refunded ' +
      "to the invoice named by the intent's metadata.invoiceId, once per event id. Refusals (unknown " +
      'invoice, currency mismatch, overpayment, …) still answer 200 with outcome ignored, so Stripe stops ' +
      'retrying; a 503 makes it retry.',
  })
  @ApiHeader({ name: 'Stripe-Signature', required: true, description: 't=<timestamp>,v1=<HMAC-SHA256>' })
  @ApiBody({
    description: 'A Stripe event object, byte for byte as Stripe sent it',
    schema: { type: 'object', required: ['id', 'type', 'data'], additionalProperties: true },
  })
  @ApiOkResponse({ type: StripeWebhookResponseDto })
  @ApiProblem(400, 'Missing, wrong or older than 5 minutes Stripe-Signature (invalid_signature)')
  @ApiProblem(404, 'STRIPE_WEBHOOK_SECRET is not set on this server (stripe_not_configured)')
  receiveStripeEvent(@Req() request: RawBodyRequest<FastifyRequest>): Promise<StripeWebhookResponseDto> {
    return this.stripe.receive(request.rawBody, request.headers['stripe-signature']);
  }
}
