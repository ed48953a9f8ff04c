import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard as PassportAuthGuard } from '@nestjs/passport';
import { ACCESS_KEY, type RouteAccess } from '../common/auth/access.decorators.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { roleAtLeast } from '../common/auth/roles.js';
import { DomainError } from '../common/errors/domain-error.js';

/**
 * The one place access is decided: @Public routes pass; @RequireRole routes need a live session and the
 * role; a route that declares neither is refused, so forgetting the decorator cannot open a route.
 */
@Injectable()
export class AuthGuard extends PassportAuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!access)
      throw new Error(`${context.getClass().name}.${context.getHandler().name} declares no access`);
    if ('public' in access) return true;

    await super.canActivate(context);
    const user: AuthUser = context.switchToHttp().getRequest().user;
    if (!roleAtLeast(user.role, access.role)) {
      throw new DomainError('insufficient_role', `This needs the ${access.role} role; you are ${user.role}`);
    }
    return true;
  }

  override handleRequest<TUser = AuthUser>(error: unknown, user: TUser | false): TUser {
    // An error here is the session lookup failing (database down), not a bad token: let it surface.
    if (error) throw error;
    if (!user)
      throw new DomainError(
        'unauthorized',
        'A valid, unexpired access token from a live session is required',
      );
    return user;
  }
}
