// meshgate's RateLimitService (envoy.service.ratelimit.v3): rules derived from the IR, counters
// in memory or Redis, served over gRPC in the control plane or by `meshgate ratelimit`.
export { RateLimitRules, type RateLimitRule, type RateLimitRuleSet, type DomainRules, type RuleEntry, type DescriptorEntry } from './rules';
export { rulesFromIr, RATE_LIMIT_DOMAIN } from './rules-from-ir';
export { parseRuleSet, parseRuleSetText, loadRuleSetFile, RuleSetError, type RuleSetIssue } from './rule-set-file';
export { CounterStoreUnavailableError, type CounterStore, type CounterIncrement } from './counter-store';
export { MemoryCounterStore, type MemoryCounterStoreOptions } from './memory-store';
export { RedisCounterStore, DEFAULT_REDIS_KEY_PREFIX, type RedisCounterStoreOptions } from './redis-store';
export { RedisClient, RedisUnavailableError, type RedisClientOptions } from './redis-client';
export { parseRedisUrl, redact as redactRedisUrl, RedisUrlError, type RedisEndpoint } from './redis-url';
export { RateLimiter, type RateLimitQuery, type RateLimitDecision, type DescriptorDecision } from './limiter';
export { registerRateLimitService, rateLimitServiceDefinition, type RateLimitServiceOptions } from './service';
export { SHOULD_RATE_LIMIT_PATH } from './wire';
export { systemClock, type Clock, type RateLimitUnit } from './units';
