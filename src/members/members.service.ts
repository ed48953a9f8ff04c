import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, LessThan } from 'typeorm';
import { toUserResponse, type UserResponseDto } from '../auth/dto/auth.dto.js';
import { SessionCache } from '../auth/session-cache.js';
import { User } from '../auth/user.entity.js';
import type { AuthUser } from '../common/auth/auth-user.js';
import type { Role } from '../common/auth/roles.js';
import { DomainError } from '../common/errors/domain-error.js';
import { decodeCursor, type Page, type PageQueryDto, toPage } from '../common/pagination/pagination.js';
import { Transactions } from '../database/transactions.js';
import { Organization } from '../organizations/organization.entity.js';
import { wouldLeaveNoOwner } from './owner-rule.js';

@Injectable()
export class MembersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly transactions: Transactions,
    private readonly sessionCache: SessionCache,
  ) {}

  async list(actor: AuthUser, query: PageQueryDto): Promise<Page<UserResponseDto>> {
    const before = decodeCursor(query.cursor);
    const users = await this.dataSource.getRepository(User).find({
      where: { organizationId: actor.organizationId, ...(before ? { id: LessThan(before) } : {}) },
      order: { id: 'DESC' },
      take: query.limit + 1,
    });
    return toPage(users, query.limit, toUserResponse);
  }

  changeRole(actor: AuthUser, userId: string, role: Role): Promise<UserResponseDto> {
    return this.withOwnersLocked(actor, userId, role, async (manager, member) => {
      member.role = role;
      return toUserResponse(await manager.save(member));
    });
  }

  /** Removes the member and, with their user, every session: their tokens stop working at once. */
  async remove(actor: AuthUser, userId: string): Promise<void> {
    await this.withOwnersLocked(actor, userId, null, (manager, member) =>
      manager.delete(User, { id: member.id }),
    );
  }

  /**
   * Runs `change` with the organization row locked, so two owners demoting each other at once cannot
   * both succeed and leave the organization without an owner. Then this process's session cache forgets the
   * member: the transaction is its own (PATCH and DELETE take no Idempotency-Key), so it has committed.
   */
  private async withOwnersLocked<T>(
    actor: AuthUser,
    userId: string,
    nextRole: Role | null,
    change: (manager: EntityManager, member: User) => Promise<T>,
  ): Promise<T> {
    const changed = await this.transactions.run(async (manager) => {
      await manager.findOne(Organization, {
        where: { id: actor.organizationId },
        lock: { mode: 'pessimistic_write' },
      });
      // The guard read the caller's role before this lock; an owner demoted meanwhile must not go on.
      if (
        !(await manager.existsBy(User, {
          id: actor.userId,
          organizationId: actor.organizationId,
          role: 'owner',
        }))
      ) {
        throw new DomainError('insufficient_role', 'Only an owner can change members');
      }
      const member = await manager.findOneBy(User, { id: userId, organizationId: actor.organizationId });
      if (!member) throw new DomainError('member_not_found', `No member ${userId}`);
      const owners = await manager.countBy(User, { organizationId: actor.organizationId, role: 'owner' });
      if (wouldLeaveNoOwner(owners, member.role, nextRole)) {
        throw new DomainError(
          'last_owner',
          'The organization would have no owner; make someone else owner first',
        );
      }
      return change(manager, member);
    });
    this.sessionCache.forgetUser(userId);
    return changed;
  }
}
