import type { Role } from '../common/auth/roles.js';

/**
 * An organization always keeps at least one owner: true when taking `currentRole` away from one member
 * (a role change to `nextRole`, or removal when nextRole is null) would leave none.
 */
export function wouldLeaveNoOwner(ownerCount: number, currentRole: Role, nextRole: Role | null): boolean {
  return currentRole === 'owner' && nextRole !== 'owner' && ownerCount <= 1;
}
