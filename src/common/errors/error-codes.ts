/** Every stable error code the API answers with, its HTTP status and the title of its problem document. */
export const ERROR_CODES = {
  validation_failed: { status: 400, title: 'The request is not valid' },
  bad_request: { status: 400, title: 'The request cannot be served' },
  malformed_json: { status: 400, title: 'The body is not valid JSON' },
  invalid_cursor: { status: 400, title: 'The cursor is not valid' },
  invalid_invitation: { status: 400, title: 'The invitation is not valid' },
  unauthorized: { status: 401, title: 'Authentication required' },
  invalid_credentials: { status: 401, title: 'Wrong email or password' },
  invalid_refresh_token: { status: 401, title: 'The refresh token is not valid' },
  insufficient_role: { status: 403, title: 'Your role does not allow this' },
  not_found: { status: 404, title: 'Not found' },
  customer_not_found: { status: 404, title: 'Customer not found' },
  member_not_found: { status: 404, title: 'Member not found' },
  invitation_not_found: { status: 404, title: 'Invitation not found' },
  email_taken: { status: 409, title: 'The email is already registered' },
  last_owner: { status: 409, title: 'The organization needs an owner' },
  payload_too_large: { status: 413, title: 'The body is too large' },
  unsupported_media_type: { status: 415, title: 'The body must be JSON' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal_error: { status: 500, title: 'Internal error' },
  dependency_unavailable: { status: 503, title: 'A service this request needs is unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
