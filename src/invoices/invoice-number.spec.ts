import { formatInvoiceNumber } from './invoice-number.js';

describe('formatInvoiceNumber', () => {
  it('pads the sequence to six digits after the prefix', () => {
    expect(formatInvoiceNumber('INV-', 42)).toBe('INV-000042');
    expect(formatInvoiceNumber('', 1)).toBe('000001');
    expect(formatInvoiceNumber('ACME/2026/', 999_999)).toBe('ACME/2026/999999');
  });

  it('keeps growing past a million', () => {
    expect(formatInvoiceNumber('INV-', 1_000_000)).toBe('INV-1000000');
  });
});
