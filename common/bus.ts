/**
 * The message-bus seam between the site and the centre. The MQTT implementation is in mqtt-bus.ts;
 * gateway store-and-forward wraps it. Handlers run one message at a time and a QoS 1 message is
 * acknowledged to the broker only after its handler has finished, so a crash mid-handler means a
 * redelivery, never a loss.
 */
export interface PublishOptions {
  qos: 0 | 1;
  retain?: boolean;
}

export type MessageHandler = (topic: string, payload: Uint8Array) => void | Promise<void>;

export interface MessageBus {
  /**
   * Resolves when the broker acknowledged a QoS 1 message (or the QoS 0 message was written).
   * Never await this inside a subscription handler: messages are handled one at a time and the
   * acknowledgement would queue behind the handler. Use `send` there.
   */
  publish(topic: string, payload: string | Uint8Array, opts: PublishOptions): Promise<void>;
  /** Queues a message without waiting for the broker; the client retries it after a reconnect, failures are logged. */
  send(topic: string, payload: string | Uint8Array, opts: PublishOptions): void;
  subscribe(filter: string, qos: 0 | 1, handler: MessageHandler): Promise<void>;
  readonly connected: boolean;
  close(): Promise<void>;
}

/** Thrown by a handler that could not process a message for a passing reason: it must be redelivered. */
export class RetryLater extends Error {
  readonly retry = true;
}

/** MQTT topic filter matching with `+` and `#` (MQTT 3.1.1 §4.7). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
