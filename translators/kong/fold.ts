// Errors and statuses of the converted documents, told in Kong terms: every error names the
// KongConfiguration and the Kong field path (from the conversion's field map, else the entity the
// document came from); the converted documents' warnings and failed conditions become warnings on
// the KongConfiguration status, and dangling references stay conditions so apply refuses them.
import type { DocumentError, DocumentRef, DocumentStatus, StatusCondition } from '../../src/documents/types';
import { condition, StatusBuilder } from '../core/status';
import type { Conversion } from './convert';
import { kongPathOf } from './output';

/** Reasons compile() refuses as dangling references (src/pipeline/compile.ts). */
const DANGLING = new Set(['BackendNotFound', 'InvalidCertificateRef']);

export function kongErrors(conversion: Conversion, ref: DocumentRef, index: number, errors: readonly DocumentError[]): DocumentError[] {
  return errors.map((e) => {
    const source = e.document ? conversion.output.sourceOf(e.document.kind, e.document.name) : undefined;
    const path = source ? kongPathOf(source, e.path) : '';
    const where = e.document ? ` (converted ${e.document.kind} ${e.document.name}${e.path ? ` ${e.path}` : ''})` : '';
    return { index, document: ref, path, reason: `${e.reason}${where}` };
  });
}

function failed(c: StatusCondition): boolean {
  return c.status === 'False' && c.type !== 'Conflicted';
}

/** The KongConfiguration's status: its own problems' warnings plus what the converted documents report. */
export function kongStatus(conversion: Conversion, ref: DocumentRef, statuses: readonly DocumentStatus[] | undefined, errorCount: number): DocumentStatus {
  const status = new StatusBuilder(ref);
  for (const w of conversion.problems.warnings) status.warn(`${w.path}: ${w.reason}`);
  let problems = 0;
  const dangling: StatusCondition[] = [];
  for (const s of statuses ?? []) {
    const source = conversion.output.sourceOf(s.document.kind, s.document.name);
    const where = `${source?.entity ?? ''} (${s.document.kind} ${s.document.name})`;
    for (const w of s.warnings ?? []) status.warn(`${where}: ${w}`);
    const conditions: StatusCondition[] = [...(s.conditions ?? []), ...(s.parents ?? []).flatMap((p) => p.conditions)];
    const listeners = (s as { listeners?: readonly { name: string; conditions: readonly StatusCondition[] }[] }).listeners ?? [];
    for (const l of listeners) conditions.push(...l.conditions.map((c) => ({ ...c, message: `listener ${l.name}: ${c.message}` })));
    for (const c of conditions.filter(failed)) {
      problems++;
      status.warn(`${where}: ${c.type}=False ${c.reason}: ${c.message}`);
      if (DANGLING.has(c.reason)) dangling.push(condition('ResolvedRefs', false, c.reason, `${where}: ${c.message}`));
    }
  }
  const documents = conversion.documents.length;
  if (errorCount > 0) status.conditions.push(condition('Accepted', false, 'Invalid', `${errorCount} error(s) in the Kong configuration`));
  else status.conditions.push(condition('Accepted', true, 'Accepted', `converted to ${documents} Gateway API and meshgate documents (Gateway ${conversion.namespace}/${conversion.gatewayName})`));
  if (errorCount === 0) status.conditions.push(condition('Programmed', problems === 0, problems === 0 ? 'Programmed' : 'PartiallyProgrammed', problems === 0 ? 'every converted document is accepted' : `${problems} condition(s) of converted documents are False (see warnings)`));
  status.conditions.push(...dangling);
  return status.build();
}
