// What validating one resource finds: its protoc-gen-validate issues, the semantic issues inside it
// (HTTP filter chains) and the names it refers to. That answer depends only on the resource's type
// URL, name and JSON, so it is kept per frozen JSON object and shared by every validator and every
// proxy group: compile() hands an unchanged resource out again as the same frozen object
// (src/pipeline/structural-sharing.ts), so it is walked once in its life however often it is
// validated. Unfrozen JSON could change after the walk, so it is walked on every call. As everywhere
// in the pipeline, a frozen object is taken to be frozen all the way down.
import type { ValidationIssue } from '../cache/types';
import { envoyApi } from '../envoy/api';
import type { EnvoyResource } from '../envoy/resource';
import { messageNameOf } from '../envoy/type-urls';
import type { RawIssue } from './issue';
import { collectFacts, type Reference } from './semantic/references';
import { type MessageVisitor, walkJson } from './walker';
import { GenerationalWeakMap } from '../util/generational-weak-map';

export interface ResourceAnswer {
  readonly typeUrl: string;
  readonly name: string;
  readonly issues: readonly ValidationIssue[];
  readonly references: readonly Reference[];
}

/** Counters for tests and the bench: resources walked, and answers handed out again. */
export interface ValidationStats {
  walked: number;
  reused: number;
}

const stats: ValidationStats = { walked: 0, reused: 0 };
const kept = new GenerationalWeakMap<object, ResourceAnswer>();
/** Most resources have no issue and refer to nothing: one shared empty list for all of them. */
const NONE: readonly never[] = Object.freeze([]);

export function validationStats(): Readonly<ValidationStats> {
  return { ...stats };
}

export function attachIssues(typeUrl: string, name: string, raw: readonly RawIssue[]): ValidationIssue[] {
  return raw.map((issue) => ({ typeUrl, name, path: issue.path, rule: issue.rule, message: issue.message }));
}

/** The resource's JSON walked as its type URL's message (PGV rules, Any contents included). */
export function walkResource(resource: EnvoyResource, visitor?: MessageVisitor): RawIssue[] {
  const api = envoyApi();
  const type = api.findMessageType(messageNameOf(resource.typeUrl));
  if (!type) return [{ path: '', rule: 'resource.type_url', message: `unknown resource type "${resource.typeUrl}"` }];
  return walkJson(type, resource.json, '', visitor ? { registry: api, visitor } : { registry: api });
}

function walk(resource: EnvoyResource): ResourceAnswer {
  const { typeUrl, name } = resource;
  const collector = collectFacts();
  const raw = walkResource(resource, collector.visitor);
  raw.push(...collector.facts.issues);
  const references = collector.facts.references;
  return { typeUrl, name, issues: raw.length > 0 ? attachIssues(typeUrl, name, raw) : NONE, references: references.length > 0 ? references : NONE };
}

/** The answer for one resource: kept from an earlier call when its JSON is the same frozen object. */
export function resourceAnswer(resource: EnvoyResource): ResourceAnswer {
  const known = kept.get(resource.json);
  if (known && known.typeUrl === resource.typeUrl && known.name === resource.name) {
    stats.reused++;
    return known;
  }
  stats.walked++;
  const answer = walk(resource);
  if (Object.isFrozen(resource.json)) kept.set(resource.json, answer);
  return answer;
}
