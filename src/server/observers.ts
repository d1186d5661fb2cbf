// Fans the server's stream events out to every observer. An observer that throws is logged and
// skipped: proxy status or metrics must never break a proxy's stream.
import type { Logger } from 'pino';
import type {
  AckReceived,
  NackReceived,
  ResponseSent,
  StreamClosed,
  StreamOpened,
  XdsStreamObserver,
} from './observer';

type EventName = keyof XdsStreamObserver;

export class ObserverFanout implements Required<XdsStreamObserver> {
  constructor(
    private readonly observers: readonly XdsStreamObserver[],
    private readonly logger: Logger,
  ) {}

  private emit<E extends EventName>(event: E, payload: Parameters<NonNullable<XdsStreamObserver[E]>>[0]): void {
    for (const observer of this.observers) {
      const handler = observer[event] as ((p: typeof payload) => void) | undefined;
      if (!handler) continue;
      try {
        handler.call(observer, payload);
      } catch (err) {
        this.logger.error({ err, event }, 'xDS stream observer failed');
      }
    }
  }

  streamOpened(e: StreamOpened): void { this.emit('streamOpened', e); }
  responseSent(e: ResponseSent): void { this.emit('responseSent', e); }
  ackReceived(e: AckReceived): void { this.emit('ackReceived', e); }
  nackReceived(e: NackReceived): void { this.emit('nackReceived', e); }
  streamClosed(e: StreamClosed): void { this.emit('streamClosed', e); }
}
