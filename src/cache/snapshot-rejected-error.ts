// Thrown when a snapshot breaks a rule Envoy would enforce; the cache keeps the previous snapshot.
import type { ValidationIssue } from './types';

const SHOWN_ISSUES = 5;

function describe(issue: ValidationIssue): string {
  const where = issue.path ? `${issue.name} ${issue.path}` : issue.name;
  return `${where}: ${issue.message} (${issue.rule})`;
}

export class SnapshotRejectedError extends Error {
  constructor(
    readonly group: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    const shown = issues.slice(0, SHOWN_ISSUES).map(describe).join('; ');
    const more = issues.length > SHOWN_ISSUES ? `; and ${issues.length - SHOWN_ISSUES} more` : '';
    super(`snapshot for group "${group}" rejected: ${shown}${more}`);
    this.name = 'SnapshotRejectedError';
  }
}
