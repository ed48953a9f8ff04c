import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { isUUID } from 'class-validator';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthUser } from '../common/auth/auth-user.js';
import { AppConfig } from '../config/app-config.js';
import { AuthService } from './auth.service.js';

export const JWT_ALGORITHM = 'HS256';
export const JWT_ISSUER = 'invoicing-api';

export interface AccessTokenPayload {
  sub: string;
  sid: string;
  exp?: number;
}

/** Accepts only HS256 tokens from us that expire, and only while their session is live. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor(
    config: AppConfig,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // jsonwebtoken takes a KeyObject, though passport-jwt's types only name string and Buffer.
      secretOrKey: config.jwtKey as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      issuer: JWT_ISSUER,
      audience: JWT_ISSUER,
      ignoreExpiration: false,
    });
  }

  async validate(payload: AccessTokenPayload): Promise<AuthUser | false> {
    // Ids that are not UUIDs would make Postgres throw (a 500) instead of simply matching no session.
    if (typeof payload.exp !== 'number' || !isUUID(payload.sid) || !isUUID(payload.sub)) {
      return false;
    }
    return (await this.auth.findSessionUser(payload.sid, payload.sub)) ?? false;
  }
}
