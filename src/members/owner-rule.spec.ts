import { ROLES } from '../common/auth/roles.js';
import { wouldLeaveNoOwner } from './owner-rule.js';

describe('wouldLeaveNoOwner', () => {
  it('refuses demoting or removing the only owner', () => {
    for (const next of [...ROLES.filter((role) => role !== 'owner'), null]) {
      expect(wouldLeaveNoOwner(1, 'owner', next)).toBe(true);
    }
  });

  it('allows it when another owner remains', () => {
    expect(wouldLeaveNoOwner(2, 'owner', 'admin')).toBe(false);
    expect(wouldLeaveNoOwner(2, 'owner', null)).toBe(false);
  });

  it('never objects to changes that do not touch an owner', () => {
    for (const current of ROLES.filter((role) => role !== 'owner')) {
      for (const next of [...ROLES, null]) expect(wouldLeaveNoOwner(1, current, next)).toBe(false);
    }
  });

  it('keeps an owner who stays owner', () => {
    expect(wouldLeaveNoOwner(1, 'owner', 'owner')).toBe(false);
  });
});
