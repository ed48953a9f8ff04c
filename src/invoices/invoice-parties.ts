import type { Customer } from '../customers/customer.entity.js';
import type { Organization } from '../organizations/organization.entity.js';
import type { CustomerSnapshot, Invoice, SellerSnapshot } from './invoice.entity.js';

/** The buyer as an invoice prints it: frozen at finalize, the customer as it is now on a draft. */
export function buyerOf(invoice: Invoice): CustomerSnapshot {
  return invoice.customerSnapshot ?? customerSnapshotOf(invoice.customer!);
}

export function customerSnapshotOf(customer: Customer): CustomerSnapshot {
  return { name: customer.name, email: customer.email, address: customer.address, taxId: customer.taxId };
}

export function sellerSnapshotOf(organization: Organization): SellerSnapshot {
  return {
    name: organization.name,
    legalName: organization.legalName,
    email: organization.email,
    address: organization.address,
    taxId: organization.taxId,
  };
}
