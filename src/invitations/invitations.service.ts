import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, LessThan, MoreThan } from 'typeorm';
import { newToken, hashToken } from '../auth/secrets.js';
import { User } from '../auth/user.entity.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import { DomainError } from '../common/errors/domain-error.js';
import { Transactions } from '../database/transactions.js';
import { decodeCursor, type Page, type PageQueryDto, toPage } from '../common/pagination/pagination.js';
import {
  type CreatedInvitationResponseDto,
  type CreateInvitationDto,
  type InvitationResponseDto,
  toInvitationResponse,
} from './dto/invitation.dto.js';
import { Invitation } from './invitation.entity.js';

export const INVITATION_TTL_MS = 7 * 24 * 3600 * 1000;

@Injectable()
export class InvitationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
  ) {}

  /** A new invitation replaces any still pending for the same email. */
  create(actor: AuthUser, dto: CreateInvitationDto): Promise<CreatedInvitationResponseDto> {
    const { email } = dto;
    return this.transactions.run(async (manager) => {
      if (await manager.existsBy(User, { email })) {
        throw new DomainError('email_taken', `${email} already has an account`);
      }
      await manager.update(
        Invitation,
        { organizationId: actor.organizationId, email, acceptedAt: IsNull(), revokedAt: IsNull() },
        { revokedAt: new Date() },
      );
      const token = newToken('inv');
      const invitation = await manager.save(
        manager.create(Invitation, {
          organizationId: actor.organizationId,
          email,
          role: dto.role,
          tokenHash: hashToken(token),
          invitedById: actor.userId,
          expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
          acceptedAt: null,
          revokedAt: null,
        }),
      );
      return { ...toInvitationResponse(invitation), token };
    });
  }

  /** Pending invitations: not accepted, not revoked, not expired. */
  async listPending(actor: AuthUser, query: PageQueryDto): Promise<Page<InvitationResponseDto>> {
    const before = decodeCursor(query.cursor);
    const invitations = await this.dataSource.getRepository(Invitation).find({
      where: {
        organizationId: actor.organizationId,
        acceptedAt: IsNull(),
        revokedAt: IsNull(),
        expiresAt: MoreThan(new Date()),
        ...(before ? { id: LessThan(before) } : {}),
      },
      order: { id: 'DESC' },
      take: query.limit + 1,
    });
    return toPage(invitations, query.limit, toInvitationResponse);
  }

  async revoke(actor: AuthUser, id: string): Promise<void> {
    const { affected } = await this.dataSource
      .getRepository(Invitation)
      .update(
        { id, organizationId: actor.organizationId, acceptedAt: IsNull(), revokedAt: IsNull() },
        { revokedAt: new Date() },
      );
    if (!affected) throw new DomainError('invitation_not_found', `No pending invitation ${id}`);
  }
}
