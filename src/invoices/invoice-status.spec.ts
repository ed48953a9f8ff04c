import fc from 'fast-check';
import { DomainError } from '../common/errors/domain-error.js';
import {
  allowedActions,
  assertAllowed,
  INVOICE_ACTIONS,
  INVOICE_STATUSES,
  type InvoiceAction,
  type InvoiceStatus,
  STATUS_AFTER,
  statusAfterPayment,
} from './invoice-status.js';

const unpaid = (status: InvoiceStatus) => ({ status, amountPaid: 0 });

describe('allowedActions', () => {
  it.each<[InvoiceStatus, InvoiceAction[]]>([
    ['draft', ['update', 'finalize', 'delete']],
    ['open', ['send', 'pay', 'void', 'mark_uncollectible']],
    ['uncollectible', ['send', 'pay', 'void']],
    ['paid', ['send']],
    ['void', []],
  ])('for a %s invoice without payments is %j', (status, actions) => {
    expect(allowedActions(unpaid(status))).toEqual(actions);
  });

  it('keeps void away from an invoice with money paid on it', () => {
    expect(allowedActions({ status: 'open', amountPaid: 1 })).toEqual(['send', 'pay', 'mark_uncollectible']);
    expect(allowedActions({ status: 'uncollectible', amountPaid: 1 })).toEqual(['send', 'pay']);
  });
});

describe('assertAllowed', () => {
  it('names the refused transition in the error code', () => {
    expect(() => assertAllowed(unpaid('paid'), 'void')).toThrow(
      expect.objectContaining({ code: 'cannot_void_invoice', detail: 'A paid invoice cannot be voided' }),
    );
    expect(() => assertAllowed(unpaid('open'), 'finalize')).toThrow(
      expect.objectContaining({
        code: 'cannot_finalize_invoice',
        detail: 'An open invoice cannot be finalized',
      }),
    );
    expect(() => assertAllowed({ status: 'open', amountPaid: 5 }, 'void')).toThrow(/with payments on it/);
  });

  it('agrees with allowedActions for every status and action', () => {
    for (const status of INVOICE_STATUSES) {
      for (const amountPaid of [0, 1]) {
        for (const action of INVOICE_ACTIONS) {
          const allowed = allowedActions({ status, amountPaid }).includes(action);
          const attempt = () => assertAllowed({ status, amountPaid }, action);
          if (allowed) expect(attempt).not.toThrow();
          else expect(attempt).toThrow(DomainError);
        }
      }
    }
  });
});

describe('the state machine', () => {
  it('never reaches a state it should not, whatever the sequence of actions (property)', () => {
    const step = (state: { status: InvoiceStatus; amountPaid: number }, action: InvoiceAction) =>
      allowedActions(state).includes(action)
        ? { ...state, status: STATUS_AFTER[action] ?? state.status }
        : state;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...INVOICE_ACTIONS), { maxLength: 20 }), (actions) => {
        let state = unpaid('draft');
        let finalizedOnce = false;
        for (const action of actions) {
          const before = state.status;
          state = step(state, action);
          if (before === 'void') expect(state.status).toBe('void'); // void is terminal
          if (state.status !== 'draft') finalizedOnce = true;
          if (finalizedOnce) expect(state.status).not.toBe('draft'); // no way back to draft
        }
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('statusAfterPayment', () => {
  it('settles an open or uncollectible invoice once nothing is due', () => {
    expect(statusAfterPayment({ status: 'open', amountPaid: 100, amountDue: 0 })).toBe('paid');
    expect(statusAfterPayment({ status: 'uncollectible', amountPaid: 100, amountDue: 0 })).toBe('paid');
  });

  it('leaves a partly paid invoice as it was', () => {
    expect(statusAfterPayment({ status: 'open', amountPaid: 50, amountDue: 50 })).toBe('open');
    expect(statusAfterPayment({ status: 'uncollectible', amountPaid: 50, amountDue: 50 })).toBe(
      'uncollectible',
    );
  });

  it('reopens a paid invoice when a refund leaves something due', () => {
    expect(statusAfterPayment({ status: 'paid', amountPaid: 50, amountDue: 50 })).toBe('open');
  });

  it('never touches a draft or a void invoice', () => {
    expect(statusAfterPayment({ status: 'draft', amountPaid: 0, amountDue: 0 })).toBe('draft');
    expect(statusAfterPayment({ status: 'void', amountPaid: 0, amountDue: 0 })).toBe('void');
  });
});
