import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config.js';
import { RateLimiter } from '../redis/rate-limiter.js';
import { AccessTokens, JWT_ALGORITHM, JWT_ISSUER } from './access-tokens.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { ACCESS_TOKEN_TTL_SECONDS, AuthService } from './auth.service.js';
import { SessionCache } from './session-cache.js';

@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        secret: config.jwtKey,
        signOptions: {
          algorithm: JWT_ALGORITHM,
          expiresIn: ACCESS_TOKEN_TTL_SECONDS,
          issuer: JWT_ISSUER,
          audience: JWT_ISSUER,
        },
        verifyOptions: { algorithms: [JWT_ALGORITHM], issuer: JWT_ISSUER, audience: JWT_ISSUER },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    AccessTokens,
    RateLimiter,
    SessionCache,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService, RateLimiter, SessionCache],
})
export class AuthModule {}
