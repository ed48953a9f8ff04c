import type { Role } from './roles.js';

/** Who is calling: resolved from the access token and its live session on every request. */
export interface AuthUser {
  userId: string;
  organizationId: string;
  role: Role;
  sessionId: string;
}
