/** Deliveries held until a client's CONNACK is written (used by broker.ts's preConnect hook). */
type Deliver = (packet: unknown, cb: () => void) => void;
interface HeldClient {
  deliver0: Deliver;
  deliverQoS: Deliver;
  conn?: NodeJS.EventEmitter;
  vigilHeld?: { deliver: Deliver; packet: unknown; cb: () => void }[];
}

/**
 * [MQTT-3.2.0-1]: the first packet the server sends a client is its CONNACK. Aedes restores a
 * persistent session's subscriptions before it stores the will and answers, so a message published
 * meanwhile (a broker cluster under traffic: the will goes to Redis and back) reached the client
 * before its CONNACK, and mqtt.js waited for the CONNACK forever. Deliveries wait for it here; the
 * messages themselves are already in the session's queue (persistence), so a connection that fails
 * before its CONNACK loses none of them.
 */
export function holdUntilConnack(client: object): void {
  const c = client as HeldClient;
  const held: NonNullable<HeldClient['vigilHeld']> = [];
  c.vigilHeld = held;
  const wrap = (deliver: Deliver): Deliver => (packet, cb) => {
    if (c.vigilHeld) c.vigilHeld.push({ deliver, packet, cb });
    else deliver(packet, cb);
  };
  c.deliver0 = wrap(c.deliver0.bind(c));
  c.deliverQoS = wrap(c.deliverQoS.bind(c));
  c.conn?.once('close', () => releaseHeld(client, false));
}

export function releaseHeld(client: object, deliver: boolean): void {
  const c = client as HeldClient;
  const held = c.vigilHeld;
  if (!held) return;
  c.vigilHeld = undefined;
  for (const h of held) {
    if (deliver) h.deliver(h.packet, h.cb);
    else h.cb();
  }
}
