import type { FakeGateway } from './gateway.js';
import type { InteractionClock } from './interaction-clock.js';
import type { FakeRateLimitOptions, RateLimiter } from './rate-limit.js';
import type { SnowflakeGenerator } from './snowflake.js';
import type { FakeState, FakeUser } from './state.js';

/** The services every route handler shares. */
export interface FakeContext {
  readonly state: FakeState;
  readonly gateway: FakeGateway;
  readonly clock: InteractionClock;
  readonly ids: SnowflakeGenerator;
  readonly rateLimiter: RateLimiter;
  readonly rateLimits: FakeRateLimitOptions;
  readonly token: string;
  readonly applicationId: string;
  readonly botUser: FakeUser;
  readonly gatewayUrl: string;
}
