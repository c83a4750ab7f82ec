/**
 * Topic ACLs by role, derived from the MQTT contract table (protocol/src/topics.ts): a gateway
 * publishes only its own site's and its own id's topics; only the centre publishes alarms, downlinks
 * and keyrings; consoles and integrators only read what the table lets them read. Nothing outside
 * `vigil/v1/` is allowed.
 */
import { parseTopic, type Role, TOPICS, type TopicSpec } from '../../../protocol/src';

export interface Identity {
  username: string;
  role: Role;
  /** Gateways are bound to one site and one gateway id. */
  siteId?: string;
  gatewayId?: string;
}

export function canPublish(who: Identity, topic: string): boolean {
  const parsed = parseTopic(topic);
  if (!parsed || !parsed.spec.publishers.includes(who.role)) return false;
  if (who.role === 'gateway') {
    if (parsed.params['siteId'] !== who.siteId) return false;
    if ('gatewayId' in parsed.params && parsed.params['gatewayId'] !== who.gatewayId) return false;
  }
  return true;
}

/** Every topic spec the filter could match, with the filter's literal value (if any) for each parameter. */
function overlaps(filter: string, spec: TopicSpec): { params: Record<string, string | undefined> } | undefined {
  const f = filter.split('/');
  const p = spec.pattern.split('/');
  const params: Record<string, string | undefined> = {};
  for (let i = 0; i < p.length; i++) {
    const fl = f[i];
    if (fl === undefined) return undefined;
    if (fl === '#') {
      for (let j = i; j < p.length; j++) {
        const m = /^\{(\w+)\}$/.exec(p[j]!);
        if (m) params[m[1]!] = undefined;
      }
      return { params };
    }
    const m = /^\{(\w+)\}$/.exec(p[i]!);
    if (m) {
      params[m[1]!] = fl === '+' ? undefined : fl;
    } else if (fl !== '+' && fl !== p[i]) {
      return undefined;
    }
  }
  // `a/#` also matches `a` itself (MQTT 3.1.1 §4.7.1.2).
  return f.length === p.length || (f.length === p.length + 1 && f[p.length] === '#') ? { params } : undefined;
}

export function canSubscribe(who: Identity, filter: string): boolean {
  if (!filter.startsWith('vigil/') && !filter.startsWith('+/') && !filter.startsWith('#')) return false;
  let matchesSomething = false;
  for (const spec of TOPICS) {
    const o = overlaps(filter, spec);
    if (!o) continue;
    matchesSomething = true;
    if (!spec.subscribers.includes(who.role)) return false;
    if (who.role === 'gateway' && 'siteId' in o.params && o.params['siteId'] !== who.siteId) return false;
  }
  return matchesSomething;
}

/**
 * Whether a message on `topic` may be delivered to `who`: what one of its subscriptions could have
 * been granted (canSubscribe on the topic itself). Checked on every delivery, queued ones included.
 */
export function canReceive(who: Identity, topic: string): boolean {
  const parsed = parseTopic(topic);
  if (!parsed || !parsed.spec.subscribers.includes(who.role)) return false;
  return who.role !== 'gateway' || parsed.params['siteId'] === who.siteId;
}
