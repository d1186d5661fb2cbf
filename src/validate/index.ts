// Validation as Envoy does it. Envoy runs protoc-gen-validate on every resource it receives and
// NACKs on the first broken rule; meshgate checks the same rules (read from the loaded protos,
// including messages packed in Any) plus the semantic checks a control plane can get wrong, so an
// invalid snapshot is refused with the resource, field path and rule instead of being served.
import type { SnapshotValidator, ValidationIssue } from '../cache/types';
import { envoyApi } from '../envoy/api';
import type { EnvoyResource } from '../envoy/resource';
import { typeUrlOf } from '../envoy/type-urls';
import { attachIssues, resourceAnswer, walkResource } from './resource-answers';
import type { Reference } from './semantic/references';
import { nameIssues, referenceIssues, type StaticResources } from './semantic/snapshot-checks';
import { type TypeRegistry, walkJson } from './walker';

export type { ValidationIssue, SnapshotValidator } from '../cache/types';
export type { StaticResources } from './semantic/snapshot-checks';
export type { TypeRegistry } from './walker';
export { formatIssue } from './issue';
export { validationStats, type ValidationStats } from './resource-answers';

/** protoc-gen-validate rules (and JSON well-formedness) for one resource, Any contents included. */
export function validateResource(resource: EnvoyResource): ValidationIssue[] {
  return attachIssues(resource.typeUrl, resource.name, walkResource(resource));
}

/**
 * The same for any message of the API, e.g. "envoy.config.bootstrap.v3.Bootstrap". Issue paths
 * start with `pathPrefix`; the issues carry the message's type URL and an empty name.
 */
export function validateMessage(messageName: string, json: unknown, pathPrefix = '', registry: TypeRegistry = envoyApi()): ValidationIssue[] {
  const type = registry.findMessageType(messageName);
  if (!type) throw new Error(`validateMessage: unknown message type ${messageName}`);
  return attachIssues(typeUrlOf(messageName), '', walkJson(type, json, pathPrefix, { registry }));
}

/** A snapshot validator that also accepts references to resources the proxies' bootstrap defines statically. */
export function createSnapshotValidator(statics: StaticResources = {}): SnapshotValidator {
  // The pipeline validates a compiled group (to refuse a bad change before storing it) and the
  // cache validates it again before serving: the same frozen array, so the second call reuses the
  // first answer. Each resource's own answer is kept per frozen resource (resource-answers.ts);
  // what is left per call is the snapshot-wide part: names and references.
  const answers = new WeakMap<readonly EnvoyResource[], readonly ValidationIssue[]>();
  return (resources) => {
    const known = answers.get(resources);
    if (known) return [...known];
    const issues: ValidationIssue[] = [];
    const references: (readonly Reference[])[] = [];
    for (const resource of resources) {
      const answer = resourceAnswer(resource);
      if (answer.issues.length > 0) issues.push(...answer.issues);
      references.push(answer.references);
    }
    issues.push(...nameIssues(resources));
    issues.push(...referenceIssues(resources, references, statics));
    if (Object.isFrozen(resources)) answers.set(resources, issues);
    return [...issues];
  };
}

/** PGV on every resource, then the snapshot-wide checks: names, router filter, references. */
export const validateSnapshot: SnapshotValidator = createSnapshotValidator();
