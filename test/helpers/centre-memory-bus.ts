/** A MessageBus held in memory (our seam): records what is sent, delivers what a test injects. */
import { type MessageBus, type MessageHandler, type PublishOptions, topicMatches } from '../../common/bus';

export interface SentMessage {
  topic: string;
  payload: Record<string, unknown>;
  opts: PublishOptions;
}

export class MemoryBus implements MessageBus {
  readonly sent: SentMessage[] = [];
  private readonly handlers: { filter: string; handler: MessageHandler }[] = [];
  connected = true;

  async publish(topic: string, payload: string | Uint8Array, opts: PublishOptions): Promise<void> {
    this.send(topic, payload, opts);
  }

  send(topic: string, payload: string | Uint8Array, opts: PublishOptions): void {
    const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8');
    this.sent.push({ topic, payload: JSON.parse(text) as Record<string, unknown>, opts });
  }

  async subscribe(filter: string, _qos: 0 | 1, handler: MessageHandler): Promise<void> {
    this.handlers.push({ filter, handler });
  }

  /** Delivers a message as the broker would; resolves when every handler finished (throws what they throw). */
  async deliver(topic: string, payload: unknown): Promise<void> {
    const bytes = new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload));
    for (const h of this.handlers) if (topicMatches(h.filter, topic)) await h.handler(topic, bytes);
  }

  /** Sent messages whose topic ends with `suffix` (e.g. '/downlink'), payloads only. */
  on(suffix: string): Record<string, unknown>[] {
    return this.sent.filter((m) => m.topic.endsWith(suffix)).map((m) => m.payload);
  }

  clear(): void {
    this.sent.length = 0;
  }

  async close(): Promise<void> {
    this.connected = false;
  }
}
