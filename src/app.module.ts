import { type DynamicModule, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AdminModule } from './admin/admin.module.js';
import { AuthModule } from './auth/auth.module.js';
import type { AppConfig } from './config/app-config.js';
import { CoreModule } from './core.module.js';
import { CustomersModule } from './customers/customers.module.js';
import { EventsModule } from './events/events.module.js';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor.js';
import { IdempotencyModule } from './idempotency/idempotency.module.js';
import { StripeModule } from './integrations/stripe/stripe.module.js';
import { InvitationsModule } from './invitations/invitations.module.js';
import { InvoicesModule } from './invoices/invoices.module.js';
import { MembersModule } from './members/members.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { OrganizationsModule } from './organizations/organizations.module.js';
import { PaymentsModule } from './payments/payments.module.js';
import { PdfModule } from './pdf/pdf.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';
import { WebhookDeliveriesModule } from './webhooks/deliveries/webhook-deliveries.module.js';
import { WorkerModule } from './worker.module.js';

// The API's feature modules, in the order they register routes.
const API_FEATURES = [
  IdempotencyModule,
  AuthModule,
  OrganizationsModule,
  MembersModule,
  InvitationsModule,
  CustomersModule,
  InvoicesModule,
  PaymentsModule,
  PdfModule,
  StripeModule,
  NotificationsModule,
  WebhooksModule,
  EventsModule,
  WebhookDeliveriesModule,
];

/** The HTTP API root; with APP_ROLE=all it also runs the workers (WORKER_QUEUES) in the same process. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    const workers = config.role === 'all' ? WorkerModule.featuresFor(config) : [];
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        ...API_FEATURES,
        ...workers,
        AdminModule.forRoot(config, [...API_FEATURES, ...workers]),
      ],
      // Idempotency-Key on POSTs: an API concern, so registered here and not in the shared CoreModule.
      providers: [{ provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }],
    };
  }
}
