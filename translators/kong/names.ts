// Names of converted documents: Kubernetes object names (lower-case DNS subdomains, at most 253
// characters) derived from Kong names, unique per kind. Kong names may hold capitals, "_" or "~";
// those become "-". The same Kong file always gives the same names.

const MAX_NAME = 253;

/** A lower-case DNS subdomain made of `text`, or `fallback` when nothing usable is left. */
export function objectNameOf(text: string | undefined, fallback: string): string {
  const cleaned = (text ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, MAX_NAME - 8)
    .replace(/[-.]+$/g, '');
  return cleaned === '' ? fallback : cleaned;
}

/** Hands out unique names per kind: the second "api" becomes "api-2". */
export class NameAllocator {
  private readonly taken = new Map<string, Set<string>>();

  allocate(kind: string, wanted: string): string {
    let names = this.taken.get(kind);
    if (!names) this.taken.set(kind, (names = new Set()));
    let name = wanted;
    for (let n = 2; names.has(name); n++) name = `${wanted}-${n}`;
    names.add(name);
    return name;
  }
}

/** A DNS label for listener and rule section names ("https-api-example-com"). */
export function sectionNameOf(text: string): string {
  const cleaned = text
    .toLowerCase()
    .replace(/\*/g, 'wildcard')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned.slice(0, 63).replace(/-+$/g, '') || 'listener';
}
