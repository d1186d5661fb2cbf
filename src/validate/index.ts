// Validation as Envoy does it. Envoy runs protoc-gen-validate on every resource it receives and
// NACKs on the first broken rule; meshgate checks the same rules (read from the loaded protos,
// including messages packed in Any) plus the semantic checks a control plane can get wrong, so an
// invalid snapshot is refused with the resource, field path and rule instead of being served.
import { sameJson } from '../cache/same-json';
import type { SnapshotValidator, ValidationIssue } from '../cache/types';
import { envoyApi } from '../envoy/api';
import type { EnvoyResource } from '../envoy/resource';
import { messageNameOf, typeUrlOf } from '../envoy/type-urls';
import type { RawIssue } from './issue';
import { collectFacts, type ResourceFacts } from './semantic/references';
import { nameIssues, referenceIssues, type StaticResources } from './semantic/snapshot-checks';
import { type MessageVisitor, type TypeRegistry, walkJson } from './walker';

export type { ValidationIssue, SnapshotValidator } from '../cache/types';
export type { StaticResources } from './semantic/snapshot-checks';
export type { TypeRegistry } from './walker';
export { formatIssue } from './issue';

function attach(typeUrl: string, name: string, raw: readonly RawIssue[]): ValidationIssue[] {
  return raw.map((issue) => ({ typeUrl, name, path: issue.path, rule: issue.rule, message: issue.message }));
}

function walkResource(resource: EnvoyResource, visitor?: MessageVisitor): RawIssue[] {
  const api = envoyApi();
  const type = api.findMessageType(messageNameOf(resource.typeUrl));
  if (!type) return [{ path: '', rule: 'resource.type_url', message: `unknown resource type "${resource.typeUrl}"` }];
  return walkJson(type, resource.json, '', visitor ? { registry: api, visitor } : { registry: api });
}

/** protoc-gen-validate rules (and JSON well-formedness) for one resource, Any contents included. */
export function validateResource(resource: EnvoyResource): ValidationIssue[] {
  return attach(resource.typeUrl, resource.name, walkResource(resource));
}

/**
 * The same for any message of the API, e.g. "envoy.config.bootstrap.v3.Bootstrap". Issue paths
 * start with `pathPrefix`; the issues carry the message's type URL and an empty name.
 */
export function validateMessage(messageName: string, json: unknown, pathPrefix = '', registry: TypeRegistry = envoyApi()): ValidationIssue[] {
  const type = registry.findMessageType(messageName);
  if (!type) throw new Error(`validateMessage: unknown message type ${messageName}`);
  return attach(typeUrlOf(messageName), '', walkJson(type, json, pathPrefix, { registry }));
}

const REMEMBERED_CALLS = 2;

interface ResourceAnswer {
  readonly json: EnvoyResource['json'];
  readonly issues: readonly ValidationIssue[];
  readonly facts: ResourceFacts;
}

/** Answers of one call by type URL, then resource name. */
type AnswersByType = Map<string, Map<string, ResourceAnswer>>;

function validateOneResource(resource: EnvoyResource): ResourceAnswer {
  const collector = collectFacts();
  const issues = attach(resource.typeUrl, resource.name, walkResource(resource, collector.visitor));
  issues.push(...attach(resource.typeUrl, resource.name, collector.facts.issues));
  return { json: resource.json, issues, facts: collector.facts };
}

/** A snapshot validator that also accepts references to resources the proxies' bootstrap defines statically. */
export function createSnapshotValidator(statics: StaticResources = {}): SnapshotValidator {
  // The pipeline validates a compiled group (to refuse a bad change before storing it) and the
  // cache validates it again before serving: the same array, never mutated after compile, so the
  // second call reuses the first answer instead of walking every resource twice.
  const answers = new WeakMap<readonly EnvoyResource[], ValidationIssue[]>();
  // A change usually leaves most resources as they were: a resource equal to the one of the same
  // type and name in one of the last calls keeps that call's answer (its issues and what it refers
  // to). Two calls are remembered because groups alternate (a gateway and its proxyless view);
  // more would keep configurations that are no longer served alive.
  const recent: AnswersByType[] = [];
  return (resources) => {
    const known = answers.get(resources);
    if (known) return [...known];
    const issues: ValidationIssue[] = [];
    const facts: ResourceFacts[] = [];
    const current: AnswersByType = new Map();
    for (const resource of resources) {
      let answer: ResourceAnswer | undefined;
      for (const generation of recent) {
        const before = generation.get(resource.typeUrl)?.get(resource.name);
        if (before && sameJson(before.json, resource.json)) {
          answer = before;
          break;
        }
      }
      answer ??= validateOneResource(resource);
      let ofType = current.get(resource.typeUrl);
      if (!ofType) current.set(resource.typeUrl, (ofType = new Map()));
      ofType.set(resource.name, answer);
      issues.push(...answer.issues);
      facts.push(answer.facts);
    }
    recent.unshift(current);
    if (recent.length > REMEMBERED_CALLS) recent.pop();
    issues.push(...nameIssues(resources));
    issues.push(...referenceIssues(resources, facts, statics));
    answers.set(resources, issues);
    return [...issues];
  };
}

/** PGV on every resource, then the snapshot-wide checks: names, router filter, references. */
export const validateSnapshot: SnapshotValidator = createSnapshotValidator();
