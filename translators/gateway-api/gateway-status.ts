// Gateway conditions (Accepted, Programmed) and per-listener status (Accepted, Programmed,
// ResolvedRefs, Conflicted, attachedRoutes, supportedKinds), computed after route attachment.
import { condition, type ListenerStatus, type StatusBuilder } from '../core/status';
import type { GatewayPlan } from './attachment';

export function gatewayStatus(plan: GatewayPlan, status: StatusBuilder, addressProblem: string | undefined): void {
  const listeners: ListenerStatus[] = plan.listeners.map((l) => ({
    name: l.name,
    supportedKinds: l.supportedKinds,
    attachedRoutes: plan.attached.get(l.name)?.size ?? 0,
    conditions: [
      l.accepted,
      l.programmable
        ? condition('Programmed', true, 'Programmed', 'Listener programmed')
        : condition('Programmed', false, 'Invalid', l.accepted.status === 'True' ? `not programmed: ${l.resolvedRefs.message}` : `not programmed: ${l.accepted.message}`),
      l.resolvedRefs,
      l.conflicted,
    ],
  }));
  status.listeners = listeners;
  const invalid = plan.listeners.filter((l) => !l.programmable).map((l) => l.name);
  const valid = plan.listeners.filter((l) => l.programmable).map((l) => l.name);
  if (addressProblem) {
    status.conditions.push(condition('Accepted', false, 'UnsupportedAddress', addressProblem));
  } else if (invalid.length === 0) {
    status.conditions.push(condition('Accepted', true, 'Accepted', 'Gateway accepted'));
  } else {
    const message = `listeners not valid: ${invalid.join(', ')}${valid.length > 0 ? `; serving ${valid.join(', ')}` : ''}`;
    status.conditions.push(condition('Accepted', valid.length > 0, 'ListenersNotValid', message));
  }
  status.conditions.push(
    !addressProblem && valid.length > 0
      ? condition('Programmed', true, 'Programmed', `Served to proxies of group gateway/${status.document.namespace}/${status.document.name}`)
      : condition('Programmed', false, 'Invalid', addressProblem ?? 'No listener can be programmed'),
  );
}
