import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module.js';
import type { AppConfig } from './config/app-config.js';
import { CoreModule } from './core.module.js';
import { CustomersModule } from './customers/customers.module.js';
import { InvitationsModule } from './invitations/invitations.module.js';
import { MembersModule } from './members/members.module.js';
import { OrganizationsModule } from './organizations/organizations.module.js';
import { WorkerModule } from './worker.module.js';

/** The HTTP API root; with APP_ROLE=all it also runs the workers in the same process. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        AuthModule,
        OrganizationsModule,
        MembersModule,
        InvitationsModule,
        CustomersModule,
        ...(config.role === 'all' ? WorkerModule.features : []),
      ],
    };
  }
}
