import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, IsNull } from 'typeorm';
import type { AuthUser } from '../common/auth/auth-user.js';
import { DomainError } from '../common/errors/domain-error.js';
import { isUniqueViolation } from '../database/postgres-errors.js';
import { preparedQuery } from '../database/prepared-query.js';
import { Transactions } from '../database/transactions.js';
import { Invitation } from '../invitations/invitation.entity.js';
import { toOrganizationResponse } from '../organizations/dto/organization.dto.js';
import { Organization } from '../organizations/organization.entity.js';
import { RateLimiter } from '../redis/rate-limiter.js';
import {
  type AuthResponseDto,
  type LoginDto,
  type MeResponseDto,
  type SignupDto,
  toUserResponse,
} from './dto/auth.dto.js';
import type { AccessTokenPayload } from './access-tokens.js';
import { RefreshToken } from './refresh-token.entity.js';
import { hashPassword, hashToken, newToken, verifyPassword } from './secrets.js';
import { SessionCache } from './session-cache.js';
import { Session } from './session.entity.js';
import { User } from './user.entity.js';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

const SESSION_USER = `
  SELECT u.id AS "userId", u.organization_id AS "organizationId", u.role, s.id AS "sessionId",
         s.expires_at AS "expiresAt"
    FROM sessions s JOIN users u ON u.id = s.user_id
   WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()`;
const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;
const LOGIN_LIMITS = {
  perIp: { name: 'login:ip', limit: 30, windowSeconds: 60 },
  perEmail: { name: 'login:email', limit: 10, windowSeconds: 15 * 60 },
};
const SIGNUP_LIMIT_PER_IP = { name: 'signup:ip', limit: 20, windowSeconds: 60 };

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly jwt: JwtService,
    private readonly rateLimiter: RateLimiter,
    private readonly transactions: Transactions,
    private readonly sessionCache: SessionCache,
  ) {}

  async signup(dto: SignupDto, ip: string): Promise<AuthResponseDto> {
    await this.rateLimiter.hit(SIGNUP_LIMIT_PER_IP, ip);
    if (dto.inviteToken !== undefined && dto.organizationName !== undefined) {
      throw new DomainError('validation_failed', 'Give organizationName or inviteToken, not both', [
        { field: 'organizationName', message: 'organizationName must be left out when inviteToken is given' },
      ]);
    }
    const { email } = dto;
    const passwordHash = await hashPassword(dto.password);
    try {
      return await this.transactions.run(async (manager) => {
        const membership = dto.inviteToken
          ? await this.redeemInvitation(manager, dto.inviteToken, email)
          : {
              organizationId: await this.createOrganization(manager, dto.organizationName!),
              role: 'owner' as const,
            };
        const user = await manager.save(
          manager.create(User, { ...membership, email, name: dto.name, passwordHash }),
        );
        return this.startSession(manager, user);
      });
    } catch (error) {
      if (isUniqueViolation(error, 'users'))
        throw new DomainError('email_taken', `${email} already has an account`);
      throw error;
    }
  }

  async login(dto: LoginDto, ip: string): Promise<AuthResponseDto> {
    const { email } = dto;
    await this.rateLimiter.hit(LOGIN_LIMITS.perIp, ip);
    await this.rateLimiter.hit(LOGIN_LIMITS.perEmail, email);
    const user = await this.dataSource.getRepository(User).findOneBy({ email });
    // Same answer, and the same argon2 work, whether the email is unknown or the password wrong.
    if (!(await verifyPassword(user?.passwordHash, dto.password)) || !user) {
      throw new DomainError('invalid_credentials', 'The email or password is wrong');
    }
    return this.transactions.run((manager) => this.startSession(manager, user));
  }

  /** Swaps a refresh token for a new pair; a spent token presented again ends its session (it leaked). */
  async refresh(refreshToken: string): Promise<AuthResponseDto> {
    const tokenHash = hashToken(refreshToken);
    let revokedSessionId: string | null = null;
    const tokens = await this.transactions.run(async (manager) => {
      // Spending the token is one conditional UPDATE, so of two concurrent refreshes only one wins.
      const { raw } = await manager
        .createQueryBuilder()
        .update(RefreshToken)
        .set({ spentAt: new Date() })
        .where({ tokenHash, spentAt: IsNull() })
        .returning(['sessionId'])
        .execute();
      const sessionId: string | undefined = raw[0]?.session_id;
      if (!sessionId) {
        const spent = await manager.findOneBy(RefreshToken, { tokenHash });
        if (spent) {
          await manager.update(
            Session,
            { id: spent.sessionId, revokedAt: IsNull() },
            { revokedAt: new Date() },
          );
          revokedSessionId = spent.sessionId;
        }
        return null;
      }
      const session = await manager.findOne(Session, { where: { id: sessionId }, relations: { user: true } });
      if (!session?.user || session.revokedAt || session.expiresAt <= new Date()) return null;
      return this.issueTokens(manager, session, session.user);
    });
    // Refresh takes no Idempotency-Key, so its transaction is its own and has committed here.
    if (revokedSessionId) this.sessionCache.forgetSession(revokedSessionId);
    if (!tokens)
      throw new DomainError('invalid_refresh_token', 'The refresh token is unknown, spent or expired');
    return tokens;
  }

  async logout(actor: AuthUser): Promise<void> {
    await this.dataSource
      .getRepository(Session)
      .update({ id: actor.sessionId, revokedAt: IsNull() }, { revokedAt: new Date() });
    this.sessionCache.forgetSession(actor.sessionId);
  }

  async me(actor: AuthUser): Promise<MeResponseDto> {
    const user = await this.dataSource
      .getRepository(User)
      .findOneOrFail({ where: { id: actor.userId }, relations: { organization: true } });
    return { user: toUserResponse(user), organization: toOrganizationResponse(user.organization!) };
  }

  /** The caller behind a live session, or null when the session is unknown, revoked or expired. */
  async findSessionUser(sessionId: string, userId: string): Promise<AuthUser | null> {
    // Every authenticated request asks this: from the session cache, else plain SQL, not an entity graph.
    return this.sessionCache.lookup(sessionId, userId, async () => {
      const rows = await preparedQuery<AuthUser & { expiresAt: Date }>(
        this.dataSource.manager,
        SESSION_USER,
        [sessionId, userId],
      );
      if (!rows[0]) return null;
      const { expiresAt, ...user } = rows[0];
      return { user, expiresAt };
    });
  }

  private async createOrganization(manager: EntityManager, name: string): Promise<string> {
    return (await manager.save(manager.create(Organization, { name }))).id;
  }

  private async redeemInvitation(manager: EntityManager, token: string, email: string) {
    const invitation = await manager.findOne(Invitation, {
      where: { tokenHash: hashToken(token) },
      lock: { mode: 'pessimistic_write' },
    });
    const usable =
      invitation && !invitation.acceptedAt && !invitation.revokedAt && invitation.expiresAt > new Date();
    if (!usable || invitation.email !== email) {
      throw new DomainError(
        'invalid_invitation',
        'The invitation is unknown, used, revoked, expired or for another email',
      );
    }
    await manager.update(Invitation, { id: invitation.id }, { acceptedAt: new Date() });
    return { organizationId: invitation.organizationId, role: invitation.role };
  }

  private async startSession(manager: EntityManager, user: User): Promise<AuthResponseDto> {
    const session = await manager.save(
      manager.create(Session, {
        userId: user.id,
        expiresAt: new Date(Date.now() + SESSION_TTL_MS),
        revokedAt: null,
      }),
    );
    return this.issueTokens(manager, session, user);
  }

  private async issueTokens(manager: EntityManager, session: Session, user: User): Promise<AuthResponseDto> {
    const refreshToken = newToken('rt');
    await manager.save(
      manager.create(RefreshToken, {
        sessionId: session.id,
        tokenHash: hashToken(refreshToken),
        spentAt: null,
      }),
    );
    const payload: AccessTokenPayload = { sub: user.id, sid: session.id };
    const organization = await manager.findOneByOrFail(Organization, { id: user.organizationId });
    return {
      accessToken: await this.jwt.signAsync(payload),
      refreshToken,
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      user: toUserResponse(user),
      organization: toOrganizationResponse(organization),
    };
  }
}
