import type { Address } from '../common/http/address.dto.js';

/** The seller: the demo organization's profile, printed on every invoice. */
export const SELLER = {
  name: 'Northwind Studio',
  legalName: 'Northwind Studio Ltd',
  email: 'billing@northwind.demo.invoicing.test',
  taxId: 'GB123456789',
  defaultCurrency: 'USD',
  invoiceNumberPrefix: 'NW-',
  address: {
    line1: '221 Harbour Street',
    line2: 'Floor 3',
    city: 'Bristol',
    postalCode: 'BS1 4QA',
    country: 'GB',
  } satisfies Address,
};

export type CustomerKey =
  'globex' | 'initech' | 'umbrella' | 'soylent' | 'helvetia' | 'maple' | 'wayne' | 'gulf';

export interface DemoCustomer {
  name: string;
  email: string;
  phone?: string;
  taxId?: string;
  currency: string;
  address: Address;
}

/** Eight customers in seven countries and eight currencies (JPY has no minor unit, KWD three). */
export const CUSTOMERS: Record<CustomerKey, DemoCustomer> = {
  globex: {
    name: 'Globex Corporation',
    email: 'ap@globex.demo.invoicing.test',
    phone: '+1 217 555 0142',
    currency: 'USD',
    address: {
      line1: '1 Globex Plaza',
      city: 'Springfield',
      state: 'IL',
      postalCode: '62701',
      country: 'US',
    },
  },
  initech: {
    name: 'Initech GmbH',
    email: 'rechnungen@initech.demo.invoicing.test',
    taxId: 'DE811907980',
    currency: 'EUR',
    address: { line1: 'Friedrichstraße 68', city: 'Berlin', postalCode: '10117', country: 'DE' },
  },
  umbrella: {
    name: 'Umbrella Trading Ltd',
    email: 'accounts@umbrella.demo.invoicing.test',
    taxId: 'GB987654321',
    currency: 'GBP',
    address: { line1: '14 Fenchurch Avenue', city: 'London', postalCode: 'EC3M 5BS', country: 'GB' },
  },
  soylent: {
    name: 'Soylent KK',
    email: 'keiri@soylent.demo.invoicing.test',
    currency: 'JPY',
    address: { line1: '2-7-1 Marunouchi', city: 'Chiyoda-ku, Tokyo', postalCode: '100-0005', country: 'JP' },
  },
  helvetia: {
    name: 'Helvetia Instruments AG',
    email: 'kreditoren@helvetia.demo.invoicing.test',
    taxId: 'CHE-123.456.789 MWST',
    currency: 'CHF',
    address: { line1: 'Bahnhofstrasse 42', city: 'Zürich', postalCode: '8001', country: 'CH' },
  },
  maple: {
    name: 'Maple Leaf Outfitters Inc.',
    email: 'payables@mapleleaf.demo.invoicing.test',
    currency: 'CAD',
    address: {
      line1: '100 King Street West',
      city: 'Toronto',
      state: 'ON',
      postalCode: 'M5X 1A9',
      country: 'CA',
    },
  },
  wayne: {
    name: 'Wayne Logistics Pty Ltd',
    email: 'finance@waynelogistics.demo.invoicing.test',
    taxId: '51 824 753 556',
    currency: 'AUD',
    address: { line1: '88 George Street', city: 'Sydney', state: 'NSW', postalCode: '2000', country: 'AU' },
  },
  gulf: {
    name: 'Gulf Ledger WLL',
    email: 'ap@gulfledger.demo.invoicing.test',
    currency: 'KWD',
    address: { line1: 'Al Hamra Tower, Floor 31', city: 'Kuwait City', country: 'KW' },
  },
};

export interface DemoLine {
  description: string;
  quantity: number;
  unitAmount: number;
  taxRate?: number;
  discountPercent?: number;
}

/** Lines in the customer's currency's minor units: 150000 is 1,500.00 USD but 150,000 JPY. */
export const LINES = {
  design: { description: 'Brand identity workshop (2 days)', quantity: 2, unitAmount: 120000 },
  retainer: { description: 'Monthly support retainer', quantity: 1, unitAmount: 250000 },
  hours: { description: 'Engineering hours', quantity: 12.5, unitAmount: 9500 },
  hosting: { description: 'Managed hosting, 12 months', quantity: 12, unitAmount: 4900 },
} satisfies Record<string, DemoLine>;
