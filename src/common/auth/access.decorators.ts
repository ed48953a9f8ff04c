import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiProblems } from '../http/api-problems.decorator.js';
import type { AuthUser } from './auth-user.js';
import type { Role } from './roles.js';

export const ACCESS_KEY = 'access';
/** Every route declares who may call it; a route that declares nothing is refused (see AuthGuard). */
export type RouteAccess = { public: true } | { role: Role };

/** Anyone may call the route, without a token. */
export const Public = () => SetMetadata(ACCESS_KEY, { public: true } satisfies RouteAccess);

/** The caller needs a valid access token and at least this role in their organization. */
export const RequireRole = (role: Role) =>
  applyDecorators(
    SetMetadata(ACCESS_KEY, { role } satisfies RouteAccess),
    ApiBearerAuth(),
    ApiProblems(401, ...(role === 'viewer' ? [] : [403])),
  );

export const CurrentUser = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthUser => context.switchToHttp().getRequest().user,
);
