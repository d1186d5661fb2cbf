// One broken rule found while walking a message, before it is attached to a resource, and the
// helpers that spell field paths the way every issue reports them:
//   virtual_hosts[0].routes[1].route.cluster
//   typed_per_filter_config["envoy.filters.http.cors"]
import type { ValidationIssue } from '../cache/types';

/** An issue inside one message: the resource's type URL and name are added by the caller. */
export interface RawIssue {
  readonly path: string;
  /** Where the rule sits in validate.FieldRules ("string.min_len", "repeated.items.enum.defined_only"), or a semantic rule. */
  readonly rule: string;
  readonly message: string;
}

export function fieldPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}.${name}`;
}

export function indexPath(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

export function keyPath(parent: string, key: string): string {
  return `${parent}[${JSON.stringify(key)}]`;
}

/** "type.googleapis.com/envoy.config.cluster.v3.Cluster" → "Cluster". */
function shortTypeName(typeUrl: string): string {
  const dot = typeUrl.lastIndexOf('.');
  const slash = typeUrl.lastIndexOf('/');
  return typeUrl.slice(Math.max(dot, slash) + 1);
}

/** "Cluster 'web': connect_timeout: duration.gt: must be greater than 0s". */
export function formatIssue(issue: ValidationIssue): string {
  const subject = issue.name === '' ? shortTypeName(issue.typeUrl) : `${shortTypeName(issue.typeUrl)} '${issue.name}'`;
  const where = issue.path === '' ? '' : `${issue.path}: `;
  return `${subject}: ${where}${issue.rule}: ${issue.message}`;
}

/** Short description of a JSON value for "expected X, got Y" messages. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return `${typeof value} ${text.length > 60 ? text.slice(0, 57) + '...' : text}`;
}
