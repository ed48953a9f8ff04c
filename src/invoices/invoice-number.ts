/** `INV-` and 42 make `INV-000042`; six digits keep numbers sortable up to a million invoices. */
export function formatInvoiceNumber(prefix: string, sequence: number): string {
  return `${prefix}${String(sequence).padStart(6, '0')}`;
}
