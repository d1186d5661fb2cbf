// The limits the RateLimitService enforces, per domain, and how a request's descriptor finds its
// limit. A rule's descriptor is an ordered list of entries; an entry with a value matches only that
// value, an entry without one matches any value and every distinct value gets its own counter
// (e.g. one counter per client IP). A request descriptor matches a rule only when it has exactly
// the rule's keys in the rule's order. Among matching rules the one with an exact value at the
// earliest position wins (as in envoyproxy/ratelimit, which prefers a key=value node over a bare
// key node at each level), but unlike that service a miss deeper down falls back to the wildcard.
import type { RateLimitUnit } from './units';

export interface RuleEntry {
  readonly key: string;
  /** Absent: any value, counted per distinct value. */
  readonly value?: string;
  /** Count the value without its query string ("/a?x=1" and "/a" share a counter): for request paths. */
  readonly ignoreQuery?: boolean;
}

/** One window of a limit: `requests` per `unit`. */
export interface RateLimitWindow {
  /** Requests allowed per window; 0 blocks every request. */
  readonly requests: number;
  readonly unit: RateLimitUnit;
}

export interface RateLimitRule extends RateLimitWindow {
  /** Names the limit in responses (RateLimit.name) and logs. */
  readonly id: string;
  readonly descriptor: readonly RuleEntry[];
  /** Further windows counted and enforced with requests/unit: a request over any of them is limited. */
  readonly additionalLimits?: readonly RateLimitWindow[];
  /**
   * "kong": the response carries Kong's rate limit headers (X-RateLimit-Limit-<Unit>,
   * X-RateLimit-Remaining-<Unit>, RateLimit-Limit/-Remaining/-Reset, Retry-After when limited),
   * sent back to Envoy as response_headers_to_add.
   */
  readonly responseHeaders?: 'kong';
}

/** Every window of a rule, the primary one first. */
export function windowsOf(rule: RateLimitRule): RateLimitWindow[] {
  return [{ requests: rule.requests, unit: rule.unit }, ...(rule.additionalLimits ?? [])];
}

export interface DomainRules {
  readonly domain: string;
  readonly rules: readonly RateLimitRule[];
}

/** The whole configuration, as JSON/YAML files and the admin API carry it. */
export interface RateLimitRuleSet {
  readonly domains: readonly DomainRules[];
}

export interface DescriptorEntry {
  readonly key: string;
  readonly value: string;
}

/** A trie over descriptor entries: children by exact key+value, and by key alone (any value). */
interface Node {
  readonly exact: Map<string, Node>;
  readonly anyValue: Map<string, Node>;
  rule?: RateLimitRule;
}

function newNode(): Node {
  return { exact: new Map(), anyValue: new Map() };
}

function exactKey(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

function buildTrie(rules: readonly RateLimitRule[]): Node {
  const root = newNode();
  for (const rule of rules) {
    let node = root;
    for (const entry of rule.descriptor) {
      const children = entry.value === undefined ? node.anyValue : node.exact;
      const childKey = entry.value === undefined ? entry.key : exactKey(entry.key, entry.value);
      let child = children.get(childKey);
      if (!child) {
        child = newNode();
        children.set(childKey, child);
      }
      node = child;
    }
    // The first of two rules with the same descriptor wins; parseRuleSet rejects such duplicates.
    if (!node.rule) node.rule = rule;
  }
  return root;
}

function find(node: Node, entries: readonly DescriptorEntry[], at: number): RateLimitRule | undefined {
  if (at === entries.length) return node.rule;
  const entry = entries[at]!;
  const exact = node.exact.get(exactKey(entry.key, entry.value));
  const viaExact = exact ? find(exact, entries, at + 1) : undefined;
  if (viaExact) return viaExact;
  const wildcard = node.anyValue.get(entry.key);
  return wildcard ? find(wildcard, entries, at + 1) : undefined;
}

/** The live rule set. The composition root calls update() when the IR changes; lookups see the new rules at once. */
export class RateLimitRules {
  private set: RateLimitRuleSet = { domains: [] };
  private tries = new Map<string, Node>();

  constructor(initial: RateLimitRuleSet = { domains: [] }) {
    this.update(initial);
  }

  update(next: RateLimitRuleSet): void {
    // A domain listed in several blocks gets all their rules, in order.
    const byDomain = new Map<string, RateLimitRule[]>();
    for (const d of next.domains) {
      const rules = byDomain.get(d.domain) ?? [];
      rules.push(...d.rules);
      byDomain.set(d.domain, rules);
    }
    const tries = new Map<string, Node>();
    for (const [domain, rules] of byDomain) tries.set(domain, buildTrie(rules));
    this.set = next;
    this.tries = tries;
  }

  current(): RateLimitRuleSet {
    return this.set;
  }

  hasDomain(domain: string): boolean {
    return this.tries.has(domain);
  }

  /** The rule that limits this descriptor in this domain, or undefined (the descriptor is not limited). */
  match(domain: string, entries: readonly DescriptorEntry[]): RateLimitRule | undefined {
    const root = this.tries.get(domain);
    if (!root || entries.length === 0) return undefined;
    return find(root, entries, 0);
  }
}
