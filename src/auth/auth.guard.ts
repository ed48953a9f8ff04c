import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ACCESS_KEY, type RouteAccess } from '../common/auth/access.decorators.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { roleAtLeast } from '../common/auth/roles.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AccessTokens } from './access-tokens.js';

/**
 * The one place access is decided: @Public routes pass; @RequireRole routes need a live session and the
 * role; a route that declares neither is refused, so forgetting the decorator cannot open a route.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly accessTokens: AccessTokens,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ACCESS_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!access)
      throw new Error(`${context.getClass().name}.${context.getHandler().name} declares no access`);
    if ('public' in access) return true;

    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
    // A lookup that fails (the database down) throws and surfaces as such, not as a bad token.
    const user = await this.accessTokens.callerOf(request.headers.authorization);
    if (!user)
      throw new DomainError(
        'unauthorized',
        'A valid, unexpired access token from a live session is required',
      );
    request.user = user;
    if (!roleAtLeast(user.role, access.role)) {
      throw new DomainError('insufficient_role', `This needs the ${access.role} role; you are ${user.role}`);
    }
    return true;
  }
}
