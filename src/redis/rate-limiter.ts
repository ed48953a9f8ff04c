import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { DomainError } from '../common/errors/domain-error.js';
import { REDIS } from './redis.module.js';

export interface RateLimit {
  /** Names the bucket in Redis, e.g. `login:ip`. */
  name: string;
  limit: number;
  windowSeconds: number;
}

// Counts a hit and returns [hits in the window, milliseconds until the window resets], atomically.
const HIT_SCRIPT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { hits, redis.call('PTTL', KEYS[1]) }`;

/** Fixed-window counters in Redis, shared by every api process. */
@Injectable()
export class RateLimiter {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  /** Counts one hit against `key`; past the limit, throws rate_limited with the seconds left. */
  async hit(rule: RateLimit, key: string): Promise<void> {
    const [hits, ttlMs] = (await this.redis.eval(
      HIT_SCRIPT,
      1,
      `ratelimit:${rule.name}:${key}`,
      rule.windowSeconds * 1000,
    )) as [number, number];
    if (hits > rule.limit) {
      throw new DomainError(
        'rate_limited',
        `Too many attempts; try again in ${Math.ceil(ttlMs / 1000)} s`,
        undefined,
        Math.max(1, Math.ceil(ttlMs / 1000)),
      );
    }
  }
}
