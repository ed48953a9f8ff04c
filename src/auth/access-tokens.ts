import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { isUUID } from 'class-validator';
import type { AuthUser } from '../common/auth/auth-user.js';
import { AuthService } from './auth.service.js';

export const JWT_ALGORITHM = 'HS256';
export const JWT_ISSUER = 'invoicing-api';

export interface AccessTokenPayload {
  sub: string;
  sid: string;
  exp?: number;
}

const BEARER = /^bearer\s+(\S+)\s*$/i;

/** Accepts only HS256 tokens from us that expire, sent as bearer tokens, and only while their session is live. */
@Injectable()
export class AccessTokens {
  constructor(
    private readonly jwt: JwtService,
    private readonly auth: AuthService,
  ) {}

  /** The caller behind an Authorization header, or null when it carries no token we would accept. */
  async callerOf(authorization: string | undefined): Promise<AuthUser | null> {
    const token = authorization?.match(BEARER)?.[1];
    const payload = token ? this.verified(token) : null;
    // Ids that are not UUIDs would make Postgres throw (a 500) instead of simply matching no session.
    if (!payload || typeof payload.exp !== 'number' || !isUUID(payload.sid) || !isUUID(payload.sub)) {
      return null;
    }
    return this.auth.findSessionUser(payload.sid, payload.sub);
  }

  private verified(token: string): AccessTokenPayload | null {
    try {
      return this.jwt.verify<AccessTokenPayload>(token);
    } catch {
      return null;
    }
  }
}
