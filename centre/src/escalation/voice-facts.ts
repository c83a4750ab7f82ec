/**
 * What a phone call says beyond the written message: the language of the person called (the contact's,
 * else the channel's default) and the site's name. Carried in the notification's `data.voice`.
 */
import type { Alarm, EscalationTarget, Store } from '../store/types';

export async function voiceFacts(store: Store, alarm: Alarm, t: EscalationTarget): Promise<{ language: string | null; siteName: string | null }> {
  const contact = t.contactId ? await store.getEntity('contact', t.contactId) : undefined;
  const site = alarm.siteId ? await store.getSite(alarm.siteId) : undefined;
  return { language: contact?.language ?? null, siteName: site?.name ?? null };
}
