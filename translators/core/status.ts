// Status shapes and condition constructors. DocumentStatus (src/documents/types.ts) carries
// document-level conditions and per-parent conditions; a Gateway additionally reports one entry
// per listener, as Gateway API's GatewayStatus.listeners does.
import type { DocumentRef, DocumentStatus, StatusCondition } from '../../src/documents/types';

export interface RouteGroupKind {
  readonly group: string;
  readonly kind: string;
}

export interface ListenerStatus {
  readonly name: string;
  readonly supportedKinds: readonly RouteGroupKind[];
  /** Routes accepted on this listener (Gateway API counts attachment, not programming). */
  readonly attachedRoutes: number;
  readonly conditions: readonly StatusCondition[];
}

export interface GatewayDocumentStatus extends DocumentStatus {
  readonly listeners: readonly ListenerStatus[];
}

export interface ParentStatusRef extends DocumentRef {
  readonly sectionName?: string;
  readonly port?: number;
}

export interface ParentStatus {
  readonly parentRef: ParentStatusRef;
  readonly conditions: readonly StatusCondition[];
}

export function condition(type: string, ok: boolean, reason: string, message: string): StatusCondition {
  return { type, status: ok ? 'True' : 'False', reason, message };
}

export function accepted(message = 'Accepted'): StatusCondition {
  return condition('Accepted', true, 'Accepted', message);
}

export function notAccepted(reason: string, message: string): StatusCondition {
  return condition('Accepted', false, reason, message);
}

/** A mutable status being assembled for one document; frozen into DocumentStatus at the end. */
export class StatusBuilder {
  readonly conditions: StatusCondition[] = [];
  readonly parents: ParentStatus[] = [];
  readonly warnings: string[] = [];
  listeners?: ListenerStatus[];

  constructor(readonly document: DocumentRef) {}

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  /** Empty lists are left out; a Gateway's status also carries `listeners` (GatewayDocumentStatus). */
  build(): DocumentStatus {
    return {
      document: this.document,
      ...(this.conditions.length > 0 ? { conditions: this.conditions } : {}),
      ...(this.parents.length > 0 ? { parents: this.parents } : {}),
      ...(this.listeners ? { listeners: this.listeners } : {}),
      ...(this.warnings.length > 0 ? { warnings: this.warnings } : {}),
    };
  }
}
