import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** What Stripe is told: any 2xx stops its retries, so business refusals are a 200 with outcome ignored. */
export class StripeWebhookResponseDto {
  @ApiProperty({ example: true }) received!: true;

  @ApiPropertyOptional({ example: true, description: 'This event id was handled before; nothing changed' })
  duplicate?: true;

  @ApiPropertyOptional({
    enum: ['applied', 'duplicate', 'ignored'],
    description:
      'applied: the payment, failure or refund was recorded; duplicate: the payment was already recorded ' +
      'under another event; ignored: nothing to apply (see reason)',
  })
  outcome?: 'applied' | 'duplicate' | 'ignored';

  @ApiPropertyOptional({ example: 'paid in EUR, invoiced in USD' })
  reason?: string;
}
