import { randomBytes } from 'node:crypto';
import { createApp } from '../app.factory.js';
import type { AuthResponseDto } from '../auth/dto/auth.dto.js';
import type { Role } from '../common/auth/roles.js';
import { AppConfig } from '../config/app-config.js';
import type { CreatedInvitationResponseDto } from '../invitations/dto/invitation.dto.js';
import { addDays, todayUtc } from '../invoices/invoice-dates.js';
import { INVOICE_STATUSES, type InvoiceStatus } from '../invoices/invoice-status.js';
import type { PaymentMethod } from '../payments/payment.entity.js';
import { CUSTOMERS, type CustomerKey, type DemoLine, LINES, SELLER } from './demo-data.js';
import { assertMigrated, assertRedisReachable, isPrivateWebhookUrl } from './preflight.js';
import { SeedClient, SeedError } from './seed-client.js';

/** README's sample receiver listens on port 4000. */
export const DEFAULT_WEBHOOK_URL = 'http://127.0.0.1:4000/webhooks';
export const DEMO_EMAIL_DOMAIN = 'demo.invoicing.test';
const MIN_PASSWORD_LENGTH = 10;

export interface SeedOptions {
  /** The password of every demo account; random (24 characters) when not given. */
  password?: string;
  /** Where the demo webhook endpoint points; DEFAULT_WEBHOOK_URL when not given. */
  webhookUrl?: string;
}

export interface SeedResult {
  apiBaseUrl: string;
  organization: { id: string; name: string };
  owner: { email: string; password: string };
  /** The invited accounts; they share the owner's password. */
  members: { email: string; role: Role }[];
  customers: number;
  invoices: {
    total: number;
    byStatus: Record<InvoiceStatus, number>;
    overdue: number;
    /** Open or uncollectible with some, not all, of the total paid. */
    partiallyPaid: number;
    /** With sentAt set (any status). */
    sent: number;
  };
  payments: { total: number; refunded: number };
  webhookEndpoint: {
    id: string;
    url: string;
    secret: string;
    /** The URL is on a private address: the serving app needs WEBHOOK_ALLOW_PRIVATE_URLS=true to deliver. */
    privateUrl: boolean;
  };
}

/**
 * Creates a fresh demo organization through the HTTP API of an in-process app (api role: no workers, so
 * the events it writes wait in the outbox for the real worker to deliver and PDFs for it to render).
 * Every run makes a new organization with its own owner email; earlier ones are left as they were.
 */
export async function seed(config: AppConfig, options: SeedOptions = {}): Promise<SeedResult> {
  const password = options.password ?? randomBytes(18).toString('base64url');
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new SeedError(`SEED_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const webhookUrl = options.webhookUrl ?? DEFAULT_WEBHOOK_URL;
  const privateUrl = await isPrivateWebhookUrl(webhookUrl);
  await assertMigrated(config.databaseUrl);
  await assertRedisReachable(config.redisUrl);

  const app = await createApp(seedAppConfig(config, privateUrl));
  try {
    const demo = new DemoOrganization(await SeedClient.listen(app), password);
    return await demo.create(config.publicBaseUrl, webhookUrl, privateUrl);
  } finally {
    await app.close();
  }
}

/** The caller's config as an api-role app, allowing private webhook URLs only when the demo URL is one. */
function seedAppConfig(config: AppConfig, privateUrl: boolean): AppConfig {
  const levels = ['fatal', 'error', 'warn'] as const;
  return Object.assign(Object.create(AppConfig.prototype) as AppConfig, config, {
    role: 'api',
    webhookAllowPrivateUrls: config.webhookAllowPrivateUrls || privateUrl,
    // Request logs would bury the seed's report; warnings and errors still show.
    logLevel: (levels as readonly string[]).includes(config.logLevel) ? config.logLevel : 'warn',
  } satisfies Partial<AppConfig>);
}

interface InvoiceBody {
  id: string;
  number: string | null;
  status: InvoiceStatus;
  total: number;
  amountPaid: number;
  amountDue: number;
  overdue: boolean;
  sentAt: string | null;
}

interface PaymentBody {
  id: string;
  status: string;
}

interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

interface DraftFields {
  lines: DemoLine[];
  issueDate?: string;
  dueDate?: string;
  daysUntilDue?: number;
  notes?: string;
}

/** One demo organization, built step by step as its people would through the API. */
class DemoOrganization {
  private readonly suffix = randomSuffix();
  private readonly today = todayUtc();
  private readonly customerIds = new Map<CustomerKey, string>();
  private readonly tokens = {} as Record<Role, string>;

  constructor(
    private readonly api: SeedClient,
    private readonly password: string,
  ) {}

  async create(apiBaseUrl: string, webhookUrl: string, privateUrl: boolean): Promise<SeedResult> {
    const ownerEmail = this.email('owner');
    const owner = await this.api.post<AuthResponseDto>(
      '/v1/auth/signup',
      {
        email: ownerEmail,
        password: this.password,
        name: 'Olivia Owner',
        organizationName: `${SELLER.name} (demo ${this.suffix})`,
      },
      undefined,
    );
    this.tokens.owner = owner.accessToken;
    await this.api.patch('/v1/organization', sellerProfile(), this.tokens.owner);
    // Before anything else happens, so a worker delivers the whole story to it.
    const endpoint = await this.api.post<{ id: string; url: string; secret: string }>(
      '/v1/webhook-endpoints',
      { url: webhookUrl, events: ['*'], description: 'Demo receiver (README sample, port 4000)' },
      this.tokens.owner,
    );
    const members = [];
    for (const role of ['admin', 'member', 'viewer'] as const) members.push(await this.invite(role));

    for (const [key, customer] of Object.entries(CUSTOMERS) as [
      CustomerKey,
      (typeof CUSTOMERS)[CustomerKey],
    ][]) {
      const created = await this.api.post<{ id: string }>(
        '/v1/customers',
        { ...customer, metadata: { source: 'seed' } },
        this.tokens.member,
      );
      this.customerIds.set(key, created.id);
    }
    await this.invoices();

    return {
      apiBaseUrl,
      organization: { id: owner.organization.id, name: owner.organization.name },
      owner: { email: ownerEmail, password: this.password },
      members,
      customers: this.customerIds.size,
      invoices: await this.invoiceCounts(),
      payments: await this.paymentCounts(),
      webhookEndpoint: { id: endpoint.id, url: endpoint.url, secret: endpoint.secret, privateUrl },
    };
  }

  /** Every status, the overdue and partly paid cases, several currencies; members do the work, admins the rest. */
  private async invoices(): Promise<void> {
    const { design, retainer, hours, hosting } = LINES;
    const day = (offset: number) => addDays(this.today, offset);

    await this.draft('initech', {
      lines: [
        { ...design, taxRate: 19 },
        { ...hours, taxRate: 19 },
      ],
      notes: 'Draft: lines still being agreed with Initech.',
    });
    await this.draft('helvetia', { lines: [{ ...retainer, discountPercent: 10, taxRate: 8.1 }] });

    await this.issue('globex', { lines: [hours, hosting], issueDate: day(0), daysUntilDue: 30 });

    const sent = await this.issue('maple', {
      lines: [{ ...retainer, taxRate: 13 }],
      issueDate: day(-3),
      daysUntilDue: 30,
    });
    await this.action(sent, 'send');

    const overdue = await this.issue('umbrella', {
      lines: [{ ...design, taxRate: 20 }],
      issueDate: day(-45),
      dueDate: day(-15),
      notes: 'Payment reminder sent.',
    });
    await this.action(overdue, 'send');

    const partly = await this.issue('wayne', {
      lines: [
        { ...retainer, taxRate: 10 },
        { ...hosting, taxRate: 10 },
      ],
      issueDate: day(-20),
      dueDate: day(10),
    });
    await this.action(partly, 'send');
    await this.pay(partly, Math.round(partly.amountDue * 0.4), 'bank_transfer', -5, 'Instalment 1 of 2');

    const paidJpy = await this.issue('soylent', {
      lines: [{ ...design, taxRate: 10 }],
      issueDate: day(-40),
      dueDate: day(-10),
    });
    await this.action(paidJpy, 'send');
    await this.pay(paidJpy, paidJpy.amountDue, 'bank_transfer', -12, 'Furikomi 0042');

    const paidInTwo = await this.issue('globex', {
      lines: [retainer],
      issueDate: day(-60),
      dueDate: day(-30),
    });
    await this.action(paidInTwo, 'send');
    const half = Math.floor(paidInTwo.amountDue / 2);
    await this.pay(paidInTwo, half, 'card', -50, 'Card ending 4242');
    await this.pay(paidInTwo, paidInTwo.amountDue - half, 'check', -35, 'Check #1187');

    const paidKwd = await this.issue('gulf', { lines: [retainer], issueDate: day(-25), daysUntilDue: 30 });
    await this.pay(paidKwd, paidKwd.amountDue, 'bank_transfer', -2, 'SWIFT KW-55120');

    // A duplicate order: paid by card, refunded in full, then voided.
    const duplicate = await this.issue('helvetia', {
      lines: [hosting],
      issueDate: day(-14),
      daysUntilDue: 30,
    });
    const payment = await this.pay(duplicate, duplicate.amountDue, 'card', -10, 'Card ending 0005');
    await this.api.post(
      `/v1/payments/${payment.id}/refunds`,
      { reason: `Duplicate of an earlier order; ${duplicate.number} is voided` },
      this.tokens.admin,
    );
    await this.action(duplicate, 'void', 'admin');

    const writtenOff = await this.issue('umbrella', {
      lines: [hours],
      issueDate: day(-120),
      dueDate: day(-90),
    });
    await this.action(writtenOff, 'send');
    await this.action(writtenOff, 'mark-uncollectible', 'admin');
  }

  private async invite(role: Exclude<Role, 'owner'>): Promise<{ email: string; role: Role }> {
    const email = this.email(role);
    const invitation = await this.api.post<CreatedInvitationResponseDto>(
      '/v1/invitations',
      { email, role },
      this.tokens.owner,
    );
    const names = { admin: 'Ada Admin', member: 'Max Member', viewer: 'Vera Viewer' };
    const account = await this.api.post<AuthResponseDto>(
      '/v1/auth/signup',
      { email, password: this.password, name: names[role], inviteToken: invitation.token },
      undefined,
    );
    this.tokens[role] = account.accessToken;
    return { email, role };
  }

  private draft(customer: CustomerKey, fields: DraftFields): Promise<InvoiceBody> {
    const { lines, ...rest } = fields;
    return this.api.post<InvoiceBody>(
      '/v1/invoices',
      {
        customerId: this.customerIds.get(customer),
        currency: CUSTOMERS[customer].currency,
        lineItems: lines,
        ...rest,
      },
      this.tokens.member,
    );
  }

  private async issue(customer: CustomerKey, fields: DraftFields): Promise<InvoiceBody> {
    return this.action(await this.draft(customer, fields), 'finalize');
  }

  private action(
    invoice: InvoiceBody,
    action: 'finalize' | 'send' | 'void' | 'mark-uncollectible',
    as: 'member' | 'admin' = 'member',
  ): Promise<InvoiceBody> {
    return this.api.post<InvoiceBody>(
      `/v1/invoices/${invoice.id}/${action}`,
      undefined,
      this.tokens[as],
      200,
    );
  }

  private pay(
    invoice: InvoiceBody,
    amount: number,
    method: PaymentMethod,
    daysFromToday: number,
    reference: string,
  ): Promise<PaymentBody> {
    const paidAt = `${addDays(this.today, daysFromToday)}T10:30:00.000Z`;
    return this.api.post<PaymentBody>(
      '/v1/payments',
      { invoiceId: invoice.id, amount, method, reference, paidAt },
      this.tokens.member,
    );
  }

  /** What the API now lists, counted: the report shows the store's truth, not the seed's intentions. */
  private async invoiceCounts(): Promise<SeedResult['invoices']> {
    const invoices = await this.all<InvoiceBody>('/v1/invoices');
    const byStatus = Object.fromEntries(INVOICE_STATUSES.map((status) => [status, 0])) as Record<
      InvoiceStatus,
      number
    >;
    for (const invoice of invoices) byStatus[invoice.status] += 1;
    return {
      total: invoices.length,
      byStatus,
      overdue: invoices.filter((invoice) => invoice.overdue).length,
      partiallyPaid: invoices.filter((invoice) => invoice.amountPaid > 0 && invoice.amountDue > 0).length,
      sent: invoices.filter((invoice) => invoice.sentAt !== null).length,
    };
  }

  private async paymentCounts(): Promise<SeedResult['payments']> {
    const payments = await this.all<PaymentBody>('/v1/payments');
    return {
      total: payments.length,
      refunded: payments.filter(
        (payment) => payment.status === 'refunded' || payment.status === 'partially_refunded',
      ).length,
    };
  }

  private async all<T>(path: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page: Page<T> = await this.api.get<Page<T>>(`${path}?limit=100${query}`, this.tokens.viewer);
      items.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return items;
  }

  private email(role: Role): string {
    return `${role}+${this.suffix}@${DEMO_EMAIL_DOMAIN}`;
  }
}

function sellerProfile() {
  const { legalName, email, taxId, address, defaultCurrency, invoiceNumberPrefix } = SELLER;
  return { legalName, email, taxId, address, defaultCurrency, invoiceNumberPrefix };
}

/** Six lowercase letters and digits: tells this run's accounts apart from earlier runs'. */
function randomSuffix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(6), (byte) => alphabet[byte % alphabet.length]).join('');
}
