// Reading a plugin's config with Kong's defaults, and reporting fields set to something meshgate
// cannot reproduce (a field left at Kong's default is never a problem: decK writes every default).
import type { JsonObject, JsonValue } from '../../../src/envoy/resource';
import { getArray, getBoolean, getNumber, getString, getStrings } from '../../core/json';
import { at, type Problems } from '../problems';
import type { PluginInstance } from './types';

export class PluginConfig {
  constructor(
    readonly instance: PluginInstance,
    private readonly problems: Problems,
  ) {}

  get raw(): JsonObject {
    return this.instance.config;
  }

  path(field: string): string {
    return at(this.instance.configPath, field);
  }

  string(field: string): string | undefined {
    return getString(this.raw, field);
  }

  number(field: string): number | undefined {
    return getNumber(this.raw, field);
  }

  bool(field: string, fallback: boolean): boolean {
    return getBoolean(this.raw, field) ?? fallback;
  }

  strings(field: string, fallback: readonly string[] = []): readonly string[] {
    const v = this.raw[field];
    return v === undefined || v === null ? fallback : getStrings(this.raw, field);
  }

  has(field: string): boolean {
    const v = this.raw[field];
    if (v === undefined || v === null) return false;
    if (Array.isArray(v)) return v.length > 0;
    if (typeof v === 'object') return Object.keys(v).length > 0;
    return true;
  }

  /**
   * Reports `field` when it is set to anything but `expected` (absent/null always passes). Returns
   * true when it was set otherwise (whatever the problem's severity).
   */
  unsupported(field: string, expected: JsonValue | undefined, reason: string): boolean {
    const v = this.raw[field];
    if (v === undefined || v === null) return false;
    if (expected !== undefined && JSON.stringify(v) === JSON.stringify(expected)) return false;
    if (Array.isArray(v) && v.length === 0 && expected === undefined) return false;
    this.problems.cannotHonour(this.path(field), reason);
    return true;
  }

  /** `{headers: [...], querystring: [...], ...}` sub-record entries of one kind. */
  nested(record: string, field: string): readonly JsonValue[] {
    const r = this.raw[record];
    return typeof r === 'object' && r !== null && !Array.isArray(r) ? getArray(r, field) : [];
  }
}
