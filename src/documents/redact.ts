// Secrets are never echoed: documents read back through the admin API or CLI have every credential
// value replaced. Certificates (public) stay readable; keys, passwords, API keys and tokens do not.
import type { JsonObject, JsonValue } from '../envoy/resource';

export const REDACTED_VALUE = '[redacted]';

/** Field names whose values are credentials in any family (meshgate Consumer, Kong, Istio). */
const SENSITIVE_FIELD = /^(password|secret|key|api_?key|private_?key|client_?secret|token|credential)$/i;
/** Kubernetes Secret data entries that are public and useful to see. */
const PUBLIC_SECRET_ENTRIES = new Set(['tls.crt', 'ca.crt']);

function redactValue(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(redactValue);
  if (typeof value === 'object' && value !== null) return redactObject(value);
  return value;
}

function redactObject(object: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [field, value] of Object.entries(object)) {
    out[field] = SENSITIVE_FIELD.test(field) && value !== null && typeof value !== 'object' ? REDACTED_VALUE : redactValue(value);
  }
  return out;
}

function redactSecretData(data: JsonValue | undefined): JsonValue | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  const out: JsonObject = {};
  for (const [entry, value] of Object.entries(data)) out[entry] = PUBLIC_SECRET_ENTRIES.has(entry) ? value : REDACTED_VALUE;
  return out;
}

/** A copy of a stored document body that is safe to show. */
export function redactDocument(body: JsonObject): JsonObject {
  const copy = redactObject(body);
  if (body['kind'] === 'Secret') {
    for (const holder of [copy, copy['spec']]) {
      if (typeof holder !== 'object' || holder === null || Array.isArray(holder)) continue;
      for (const field of ['data', 'stringData']) {
        if (holder[field] !== undefined) holder[field] = redactSecretData(holder[field])!;
      }
    }
  }
  return copy;
}

/**
 * The credential values a document carries (what redactDocument hides), as text. Error messages
 * about a refused document can quote a value (e.g. "expected a string, got number 12345678" for a
 * password); these are scrubbed from them before they are shown.
 */
export function sensitiveValues(body: JsonObject): string[] {
  const values = new Set<string>();
  const visit = (value: JsonValue, sensitive: boolean): void => {
    if (Array.isArray(value)) value.forEach((item) => visit(item, sensitive));
    else if (typeof value === 'object' && value !== null) for (const [field, child] of Object.entries(value)) visit(child, SENSITIVE_FIELD.test(field));
    else if (sensitive && value !== null) values.add(String(value));
  };
  visit(body, false);
  if (body['kind'] === 'Secret') {
    for (const holder of [body, body['spec']]) {
      if (typeof holder !== 'object' || holder === null || Array.isArray(holder)) continue;
      for (const field of ['data', 'stringData']) {
        const data = holder[field];
        if (typeof data !== 'object' || data === null || Array.isArray(data)) continue;
        for (const [entry, value] of Object.entries(data)) if (!PUBLIC_SECRET_ENTRIES.has(entry) && typeof value !== 'object') values.add(String(value));
      }
    }
  }
  return [...values].filter((v) => v !== '');
}

/** `text` with every whole occurrence of the given values replaced by "[redacted]". */
export function scrubValues(text: string, values: readonly string[]): string {
  let out = text;
  // Longest first, so a value that contains another is replaced whole.
  for (const value of [...values].sort((a, b) => b.length - a.length)) {
    const escaped = value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, 'g'), REDACTED_VALUE);
  }
  return out;
}
