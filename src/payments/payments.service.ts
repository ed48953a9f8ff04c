import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import { DomainError } from '../common/errors/domain-error.js';
import { decodeCursor, type Page, toPage } from '../common/pagination/pagination.js';
import { Transactions } from '../database/transactions.js';
import { recordEvent } from '../events/outbox.js';
import { toInvoiceResponse } from '../invoices/dto/invoice.dto.js';
import { assertAllowed, isAllowed } from '../invoices/invoice-status.js';
import { pdfRenderRequested } from '../invoices/invoice-pdf.js';
import { Invoice } from '../invoices/invoice.entity.js';
import { InvoicesRepository } from '../invoices/invoices.repository.js';
import { Notifier } from '../notifications/notifier.js';
import {
  type CreatePaymentDto,
  type CreateRefundDto,
  type ListPaymentsQueryDto,
  type PaymentResponseDto,
  toPaymentResponse,
} from './dto/payment.dto.js';
import { invoiceAfterMoney, refundable, statusAfterRefund } from './payment-rules.js';
import { Payment } from './payment.entity.js';
import { PaymentsRepository } from './payments.repository.js';
import { Refund } from './refund.entity.js';

/** What a payment provider reported, already verified (see the Stripe integration). */
export interface ProviderPayment {
  provider: string;
  providerPaymentId: string;
  invoiceId: string;
  amount: number;
  currency: string;
  paidAt: Date;
  failureMessage?: string;
}

/** What became of a provider report: applied, already applied before, or not applicable (and why). */
export type ProviderOutcome =
  | { outcome: 'applied'; paymentId: string }
  | { outcome: 'duplicate'; paymentId: string }
  | { outcome: 'ignored'; reason: string };

const MAX_CLOCK_SKEW_MS = 5 * 60_000;

@Injectable()
export class PaymentsService {
  constructor(
    private readonly transactions: Transactions,
    private readonly payments: PaymentsRepository,
    private readonly invoices: InvoicesRepository,
    private readonly notifier: Notifier,
  ) {}

  /** Records money received for an invoice; settles it (paid) once nothing is due. */
  create(actor: AuthUser, dto: CreatePaymentDto): Promise<PaymentResponseDto> {
    const paidAt = dto.paidAt ? new Date(dto.paidAt) : new Date();
    if (paidAt.getTime() > Date.now() + MAX_CLOCK_SKEW_MS) {
      const message = 'paidAt cannot be in the future';
      throw new DomainError('validation_failed', message, [{ field: 'paidAt', message }]);
    }
    return this.transactions.run(async (manager) => {
      const invoice = await this.lockInvoice(manager, dto.invoiceId, actor.organizationId);
      if (!invoice) throw new DomainError('invoice_not_found', `No invoice ${dto.invoiceId}`);
      // Nothing is due on a paid invoice: a second payment (two racing for one balance) overpays.
      if (invoice.status === 'paid') {
        throw new DomainError('overpayment', `${dto.amount} is more than the 0 due: the invoice is paid`);
      }
      assertAllowed(invoice, 'pay');
      const payment = await this.settle(manager, invoice, {
        amount: dto.amount,
        method: dto.method,
        reference: dto.reference ?? null,
        paidAt,
      });
      return this.response(manager, payment);
    });
  }

  async get(actor: AuthUser, id: string): Promise<PaymentResponseDto> {
    const payment = await this.payments.findInOrganization(actor.organizationId, id);
    if (!payment) throw new DomainError('payment_not_found', `No payment ${id}`);
    return toPaymentResponse(payment);
  }

  async list(actor: AuthUser, query: ListPaymentsQueryDto): Promise<Page<PaymentResponseDto>> {
    const rows = await this.payments.list(actor.organizationId, {
      ...query,
      before: decodeCursor(query.cursor),
    });
    return toPage(rows, query.limit, toPaymentResponse);
  }

  /** Gives money back, all that is left on the payment unless an amount is given; reopens a paid invoice. */
  refund(actor: AuthUser, paymentId: string, dto: CreateRefundDto): Promise<PaymentResponseDto> {
    return this.transactions.run(async (manager) => {
      const payment = await this.payments.lockInOrganization(manager, actor.organizationId, paymentId);
      if (!payment) throw new DomainError('payment_not_found', `No payment ${paymentId}`);
      const left = refundable(payment);
      if (left === 0)
        throw new DomainError('payment_not_refundable', `Payment ${paymentId} is ${payment.status}`);
      const amount = dto.amount ?? left;
      if (amount > left) {
        throw new DomainError(
          'refund_exceeds_payment',
          `At most ${left} is left to refund on payment ${paymentId}`,
        );
      }
      await this.giveBack(manager, payment, amount, dto.reason ?? null);
      return this.response(manager, payment);
    });
  }

  /** A provider says a payment succeeded: recorded once, however often the provider says it. */
  recordProviderPayment(report: ProviderPayment): Promise<ProviderOutcome> {
    return this.transactions.run(async (manager) => {
      const known = await this.payments.lockByProviderId(manager, report.provider, report.providerPaymentId);
      if (known && known.status !== 'failed') return { outcome: 'duplicate', paymentId: known.id };
      const invoice = await this.lockInvoice(manager, report.invoiceId);
      const refusal = this.providerRefusal(invoice, report);
      if (refusal) return { outcome: 'ignored', reason: refusal };
      // A failed attempt that later succeeds (the same PaymentIntent, retried) becomes this payment.
      const payment = await this.settle(
        manager,
        invoice!,
        {
          amount: report.amount,
          method: 'stripe',
          reference: report.providerPaymentId,
          paidAt: report.paidAt,
          provider: report.provider,
          providerPaymentId: report.providerPaymentId,
        },
        known ?? undefined,
      );
      return { outcome: 'applied', paymentId: payment.id };
    });
  }

  /** A provider says a payment attempt failed: kept as a failed payment, the invoice unchanged. */
  recordProviderFailure(report: ProviderPayment): Promise<ProviderOutcome> {
    return this.transactions.run(async (manager) => {
      const known = await this.payments.lockByProviderId(manager, report.provider, report.providerPaymentId);
      if (known) return { outcome: 'duplicate', paymentId: known.id };
      const invoice = await this.lockInvoice(manager, report.invoiceId);
      if (!invoice) return { outcome: 'ignored', reason: `no invoice ${report.invoiceId}` };
      const payment = await manager.save(
        manager.create(Payment, {
          ...this.paymentOf(invoice),
          amount: report.amount,
          currency: report.currency,
          status: 'failed',
          method: 'stripe',
          reference: report.providerPaymentId,
          paidAt: report.paidAt,
          provider: report.provider,
          providerPaymentId: report.providerPaymentId,
          failureMessage: report.failureMessage ?? null,
        }),
      );
      await recordEvent(
        manager,
        invoice.organizationId,
        'payment.failed',
        await this.response(manager, payment),
      );
      await this.notifier.notifyManagers(manager, invoice.organizationId, {
        type: 'payment.failed',
        message: `A payment on invoice ${invoice.number} failed${report.failureMessage ? `: ${report.failureMessage}` : ''}`,
        data: { invoiceId: invoice.id, paymentId: payment.id },
      });
      return { outcome: 'applied', paymentId: payment.id };
    });
  }

  /**
   * A provider reports the total refunded on one of its payments so far; what is new since the last
   * report is refunded here, so a repeated report changes nothing.
   */
  recordProviderRefund(
    provider: string,
    providerPaymentId: string,
    totalRefunded: number,
  ): Promise<ProviderOutcome> {
    return this.transactions.run(async (manager) => {
      const payment = await this.payments.lockByProviderId(manager, provider, providerPaymentId);
      if (!payment) return { outcome: 'ignored', reason: `no payment ${providerPaymentId}` };
      const amount = Math.min(totalRefunded - payment.amountRefunded, refundable(payment));
      if (amount <= 0) return { outcome: 'duplicate', paymentId: payment.id };
      await this.giveBack(manager, payment, amount, 'Refunded at the payment provider');
      return { outcome: 'applied', paymentId: payment.id };
    });
  }

  /** Saves a succeeded payment and moves the invoice's balance, with payment.succeeded (and invoice.paid). */
  private async settle(
    manager: EntityManager,
    invoice: Invoice,
    fields: Pick<Payment, 'amount' | 'method' | 'reference' | 'paidAt'> &
      Partial<Pick<Payment, 'provider' | 'providerPaymentId'>>,
    existing?: Payment,
  ): Promise<Payment> {
    const after = invoiceAfterMoney(invoice, fields.amount);
    if (!after) {
      throw new DomainError(
        'overpayment',
        `${fields.amount} is more than the ${invoice.amountDue} due on the invoice`,
      );
    }
    const payment = await manager.save(
      Object.assign(existing ?? manager.create(Payment, this.paymentOf(invoice)), {
        ...fields,
        status: 'succeeded',
        amountRefunded: 0,
        failureMessage: null,
      }),
    );
    const paidNow = after.status === 'paid' && invoice.status !== 'paid';
    await this.moveBalance(manager, invoice, after, paidNow ? fields.paidAt : invoice.paidAt);
    await recordEvent(
      manager,
      invoice.organizationId,
      'payment.succeeded',
      await this.response(manager, payment),
    );
    if (paidNow) {
      const paid = (await this.invoices.findInOrganization(invoice.organizationId, invoice.id, manager))!;
      await recordEvent(manager, invoice.organizationId, 'invoice.paid', toInvoiceResponse(paid));
      await this.notifier.notifyManagers(manager, invoice.organizationId, {
        type: 'invoice.paid',
        message: `Invoice ${paid.number} from ${paid.customerSnapshot!.name} was paid`,
        data: { invoiceId: invoice.id },
      });
    }
    return payment;
  }

  /** Refunds `amount` of a payment: the refund row, the payment's status, the invoice's balance, the event. */
  private async giveBack(manager: EntityManager, payment: Payment, amount: number, reason: string | null) {
    const invoice = (await this.lockInvoice(manager, payment.invoiceId, payment.organizationId))!;
    const after = invoiceAfterMoney(invoice, -amount)!;
    await manager.save(
      manager.create(Refund, {
        organizationId: payment.organizationId,
        paymentId: payment.id,
        amount,
        reason,
      }),
    );
    payment.amountRefunded += amount;
    payment.status = statusAfterRefund(payment);
    await manager.update(
      Payment,
      { id: payment.id },
      { amountRefunded: payment.amountRefunded, status: payment.status },
    );
    await this.moveBalance(manager, invoice, after, after.status === 'paid' ? invoice.paidAt : null);
    await recordEvent(
      manager,
      payment.organizationId,
      'payment.refunded',
      await this.response(manager, payment),
    );
  }

  private async moveBalance(
    manager: EntityManager,
    invoice: Invoice,
    after: Pick<Invoice, 'amountPaid' | 'amountDue' | 'status'>,
    paidAt: Date | null,
  ): Promise<void> {
    const { amountPaid, amountDue, status } = after;
    // The PDF shows the amounts paid and due, so it is rendered again.
    await manager.update(
      Invoice,
      { id: invoice.id },
      { amountPaid, amountDue, status, paidAt, ...pdfRenderRequested(invoice) },
    );
  }

  /** Why a provider's payment cannot be applied to the invoice, or null when it can. */
  private providerRefusal(invoice: Invoice | null, report: ProviderPayment): string | null {
    if (!invoice) return `no invoice ${report.invoiceId}`;
    if (invoice.currency !== report.currency)
      return `paid in ${report.currency}, invoiced in ${invoice.currency}`;
    if (!isAllowed(invoice, 'pay')) return `the invoice is ${invoice.status}`;
    if (report.amount > invoice.amountDue)
      return `${report.amount} is more than the ${invoice.amountDue} due`;
    return null;
  }

  private paymentOf(invoice: Invoice) {
    return {
      organizationId: invoice.organizationId,
      invoiceId: invoice.id,
      customerId: invoice.customerId,
      currency: invoice.currency,
    };
  }

  /** Locks the invoice row: payments and refunds against one invoice apply one at a time. */
  private lockInvoice(
    manager: EntityManager,
    invoiceId: string,
    organizationId?: string,
  ): Promise<Invoice | null> {
    return manager.findOne(Invoice, {
      where: organizationId ? { id: invoiceId, organizationId } : { id: invoiceId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  private async response(manager: EntityManager, payment: Payment): Promise<PaymentResponseDto> {
    return toPaymentResponse(
      (await this.payments.findInOrganization(payment.organizationId, payment.id, manager))!,
    );
  }
}
