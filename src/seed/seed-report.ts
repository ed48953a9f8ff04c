import type { SeedResult } from './seed-demo.js';

/** The text inside single quotes for a POSIX shell: ' becomes '\''. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** What `npm run seed` prints: where to go, how to log in, what was made, the webhook secret. */
export function formatSeedReport(result: SeedResult): string {
  const { apiBaseUrl: base, owner, invoices, payments, webhookEndpoint: endpoint } = result;
  const login = JSON.stringify({ email: owner.email, password: owner.password });
  const status = (name: keyof typeof invoices.byStatus) => String(invoices.byStatus[name]).padStart(3);
  const lines = [
    '',
    `Demo organization created: ${result.organization.name} (${result.organization.id})`,
    'Each run creates a new demo organization with its own owner email; earlier ones are left as they were.',
    '',
    `API base URL     ${base}   (PUBLIC_BASE_URL; start the server with npm run start:prod)`,
    `Owner email      ${owner.email}`,
    `Password         ${owner.password}   (shared by every demo account)`,
    ...result.members.map((member) => `${member.role.padEnd(16)} ${member.email}`),
    '',
    'Log in and list invoices:',
    `  TOKEN=$(curl -s -X POST ${base}/v1/auth/login -H 'Content-Type: application/json' \\`,
    `    -d ${shellQuote(login)} \\`,
    `    | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).accessToken')`,
    `  curl -s '${base}/v1/invoices?limit=20' -H "Authorization: Bearer $TOKEN"`,
    '',
    `Created: ${result.customers} customers, ${invoices.total} invoices, ${payments.total} payments ` +
      `(${payments.refunded} refunded), ${result.members.length} invited members, 1 webhook endpoint`,
    'Invoices by status:',
    `  draft          ${status('draft')}`,
    `  open           ${status('open')}   (${invoices.overdue} overdue, ${invoices.partiallyPaid} partially paid)`,
    `  paid           ${status('paid')}`,
    `  void           ${status('void')}`,
    `  uncollectible  ${status('uncollectible')}`,
    `  sent so far    ${String(invoices.sent).padStart(3)}   (sentAt set, in any status but draft)`,
    '',
    `Webhook endpoint ${endpoint.url} (${endpoint.id}), every event type`,
    `Signing secret   ${endpoint.secret}   (shown once; rotate it with POST /v1/webhook-endpoints/${endpoint.id}/rotate-secret)`,
    `  README's sample receiver (saved as receiver.js): WEBHOOK_SECRET='${endpoint.secret}' node receiver.js`,
  ];
  if (endpoint.privateUrl) {
    lines.push(
      `Note: ${endpoint.url} is a private address. The server that delivers webhooks (worker or all role) ` +
        'must run with WEBHOOK_ALLOW_PRIVATE_URLS=true to deliver to it.',
    );
  }
  lines.push(
    'The events and PDFs of this run wait for a worker: start one (APP_ROLE=worker or all) to deliver and render them.',
    '',
  );
  return lines.join('\n');
}
