/**
 * The contract every notification channel passes (SMS modem, SMTP, webhook, console push): it delivers
 * the alarm number and the responder link, reports answers for channels that carry them (tied to the
 * notification or to the sender), and reports a broken channel as a failed result — never a throw —
 * and as unhealthy.
 */
import type { Notification, Notifier, NotifierEvent } from '../../centre/src/notify/types';
import { waitForValue } from '../../rig/wait';

export interface NotifierPeer {
  notifier: Notifier;
  /** Where the peer receives (phone number, mailbox, URL, console). */
  address: string;
  /** The next message that reaches the peer, as the person or system there sees it. */
  nextReceived(): Promise<{ text: string }>;
  /** The peer answers the last message it received (channels that carry answers). */
  answer?(kind: 'accepted' | 'rejected'): Promise<void>;
  /** Breaks the channel (server gone, modem hanging); undefined when it cannot break. */
  breakChannel?(): Promise<void>;
  close(): Promise<void>;
}

let seq = 0;

export function notification(peer: NotifierPeer): Notification {
  seq++;
  return {
    id: `n-${seq}-${Date.now()}`, alarmId: 'a-1', alarmNumber: `10${40 + seq}`, channel: peer.notifier.channel, to: peer.address,
    subject: `VIGIL ALARM 10${40 + seq}: SOS — Wendy Worker`,
    text: `VIGIL ALARM 10${40 + seq}: SOS - Wendy Worker - Boiler room, floor -1. Reply 1 or YES to accept. https://centre.example.org/r/AbCdEfGhIjKlMnOpQrStUv`,
    link: 'https://centre.example.org/r/AbCdEfGhIjKlMnOpQrStUv', data: { alarm: { number: `10${40 + seq}`, type: 'sos' } },
  };
}

export function describeNotifier(name: string, build: () => Promise<NotifierPeer>, timeoutMs = 15_000): void {
  describe(`notifier contract: ${name}`, () => {
    let peer: NotifierPeer;

    beforeEach(async () => {
      peer = await build();
      await peer.notifier.start();
    }, timeoutMs);

    afterEach(async () => {
      await peer.notifier.stop();
      await peer.close();
    }, timeoutMs);

    it('delivers the alarm number and the responder link', async () => {
      const n = notification(peer);
      const received = peer.nextReceived();
      const r = await peer.notifier.send(n);
      expect(['sent', 'delivered']).toContain(r.status);
      const got = await received;
      expect(got.text).toContain(n.alarmNumber);
      expect(got.text).toContain(n.link!);
      expect(peer.notifier.healthy()).toBe(true);
      expect(['at-least-once', 'at-most-once']).toContain(peer.notifier.delivery);
    }, timeoutMs);

    it('reports answers, tied to the notification or to its sender', async () => {
      if (!peer.answer) return;
      for (const kind of ['accepted', 'rejected'] as const) {
        const n = notification(peer);
        const received = peer.nextReceived();
        await peer.notifier.send(n);
        await received;
        const event = waitForValue<NotifierEvent>((fn) => peer.notifier.onEvent(fn), (e) => e.kind === kind, timeoutMs, `a '${kind}' answer`);
        await peer.answer(kind);
        const e = await event;
        expect(e.channel).toBe(peer.notifier.channel);
        expect(e.notificationId === n.id || e.from === peer.address).toBe(true);
      }
    }, timeoutMs * 2);

    it('reports a broken channel as a failed result, never a throw, and as unhealthy', async () => {
      if (!peer.breakChannel) return;
      await peer.breakChannel();
      const r = await peer.notifier.send(notification(peer));
      expect(r.status).toBe('failed');
      expect(typeof r.detail).toBe('string');
      expect(peer.notifier.healthy()).toBe(false);
    }, timeoutMs * 2);
  });
}
