// The Kong family: a KongConfiguration (a Kong declarative file) is converted to Gateway API and
// meshgate documents (convert.ts, exactly what `meshgate convert` prints), which the Gateway API
// translator turns into the IR; errors and statuses are told back in Kong terms (fold.ts). Each
// KongConfiguration is its own Gateway (proxy group gateway/<namespace>/<name>), translated on
// its own so two Kong files never share names.
import { toInputDocument } from '../../src/documents/parse';
import type { DocumentError, DocumentStatus, InputDocument } from '../../src/documents/types';
import type { JsonObject, JsonValue } from '../../src/envoy/resource';
import { IR_VERSION, type Proxy } from '../../src/ir/types';
import { refOfDocument } from '../core/documents';
import type { FamilyTranslator } from '../families';
import { translateGatewayApi, type TranslateOptions, type TranslationResult } from '../translate';
import { convertKong, type Conversion } from './convert';
import { kongErrors, kongStatus } from './fold';
import { envelopeProblem, isKongConfiguration } from './kinds';

export { convertKong } from './convert';
export { isKongConfiguration, KONG_SOURCE_ANNOTATION, LENIENT_ANNOTATION } from './kinds';

interface Converted {
  readonly conversion: Conversion;
  readonly inputs: readonly InputDocument[];
}

/** Conversions of frozen (stored) documents are kept, so an unchanged Kong file is converted once. */
const memo = new WeakMap<InputDocument, Converted>();

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

function converted(doc: InputDocument): Converted {
  const known = memo.get(doc);
  if (known) return known;
  const conversion = convertKong(doc);
  const inputs = conversion.problems.failed ? [] : conversion.documents.map((d, i) => toInputDocument(d as JsonValue, i).document).filter((d): d is InputDocument => d !== undefined);
  const result = { conversion, inputs: Object.isFrozen(doc) ? deepFreeze(inputs) : inputs };
  if (Object.isFrozen(doc)) memo.set(doc, result);
  return result;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function translateKong(own: readonly InputDocument[], options: TranslateOptions = {}): TranslationResult {
  const proxies: Proxy[] = [];
  const statuses: DocumentStatus[] = [];
  const errors: DocumentError[] = [];
  own.forEach((doc, index) => {
    const bad = envelopeProblem(doc);
    if (bad) {
      errors.push({ index, path: bad.path, reason: bad.reason });
      return;
    }
    const ref = refOfDocument(doc);
    const { conversion, inputs } = converted(doc);
    const own = conversion.problems.errors.map((e) => ({ index, document: ref, path: e.path, reason: e.reason }));
    if (own.length > 0) {
      errors.push(...own);
      statuses.push(kongStatus(conversion, ref, undefined, own.length));
      return;
    }
    const result = translateGatewayApi(inputs, options);
    const mapped = kongErrors(conversion, ref, index, result.errors);
    errors.push(...mapped);
    statuses.push(kongStatus(conversion, ref, result.statuses, mapped.length));
    proxies.push(...result.ir.proxies);
  });
  proxies.sort((a, b) => cmp(a.name, b.name));
  return { ir: { version: IR_VERSION, proxies }, statuses, errors };
}

export const kongFamily: FamilyTranslator = {
  name: 'kong',
  owns: (doc) => isKongConfiguration(doc),
  translate: (own, _shared, options) => translateKong(own, options),
};

/** The converted documents of a KongConfiguration as `meshgate convert` prints them. */
export function convertedDocuments(doc: InputDocument, lenient = false): { documents: readonly JsonObject[]; conversion: Conversion } {
  const conversion = convertKong(doc, { lenient });
  return { documents: conversion.documents, conversion };
}
