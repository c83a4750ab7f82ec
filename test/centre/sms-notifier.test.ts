/**
 * SMS through a GSM modem: the real SmsNotifier on `serialport`, talking PDU mode over a socat
 * pseudo-terminal to the scripted modem on the other end, which enforces the real limits
 * (fixtures/gsm-modem.json; gsm-modem-standin.test.ts checks the stand-in against them).
 */
import { SystemClock, VirtualClock } from '../../common/clock';
import { createLogger } from '../../common/log';
import { parseReply, SmsNotifier } from '../../centre/src/notify/sms/sms-notifier';
import type { NotifierEvent } from '../../centre/src/notify/types';
import { ScriptedModem, type SentSms } from '../helpers/centre-gsm-modem';
import { ptyPair, type PtyPair } from '../helpers/centre-pty';
import { waitForEvent, waitForValue } from '../../rig/wait';
import { describeNotifier, notification, type NotifierPeer } from './notifier-contract';

const PHONE = '+33612345678';

async function smsPeer(opts: { before?: (m: ScriptedModem) => void; clock?: VirtualClock } = {}): Promise<NotifierPeer & { modem: ScriptedModem; sms: SmsNotifier; pty: PtyPair }> {
  const pty = await ptyPair();
  const modem = await ScriptedModem.open(pty.b);
  opts.before?.(modem);
  const sms = new SmsNotifier({ path: pty.a, baudRate: 115200, commandTimeoutMs: 1000, sendTimeoutMs: 1500 }, { clock: opts.clock ?? new SystemClock(), log: createLogger('sms', 'silent') });
  return {
    notifier: sms, sms, modem, pty, address: PHONE,
    nextReceived: () => waitForEvent<[{ to: string; text: string }]>(modem, 'sent', () => true, 10_000, 'an SMS at the modem').then(([m]) => m),
    answer: async (kind) => modem.deliver(PHONE, kind === 'accepted' ? 'YES' : '2'),
    breakChannel: async () => {
      modem.silent = true;
    },
    close: async () => {
      await modem.close();
      await pty.close();
    },
  };
}

describeNotifier('SMS over a GSM modem (serialport ↔ socat pty ↔ scripted modem)', () => smsPeer());

describe('SMS channel specifics', () => {
  it('initialises the modem in PDU mode with new-message indications and status reports', async () => {
    const p = await smsPeer();
    try {
      await p.notifier.start();
      expect(p.modem.commands).toEqual(['AT', 'ATE0', 'AT+CMEE=1', 'AT+CPIN?', 'AT+CMGF=0', 'AT+CNMI=2,1,0,1,0', 'AT+CMGL=4']);
      expect(p.notifier.healthy()).toBe(true);
    } finally {
      await p.notifier.stop();
      await p.close();
    }
  });

  it('keeps accents in GSM 7-bit, and no Ctrl-Z or ESC can reach the modem (the text travels as hex)', async () => {
    const p = await smsPeer();
    try {
      await p.notifier.start();
      const got = p.nextReceived();
      const r = await p.notifier.send({ ...notification(p), text: 'Chloé — étage 2 · ok\x1a AT+CMGD=1\x1b' });
      expect(r).toMatchObject({ status: 'sent', detail: 'message reference 1' });
      expect((await got).text).toBe('Chloé - étage 2 - ok AT+CMGD=1');
      expect(p.modem.commands.filter((c) => c.startsWith('AT+CMGD'))).toEqual([]);
    } finally {
      await p.notifier.stop();
      await p.close();
    }
  });

  it('reads answers that arrived while the centre was down, and names the alarm when the answer does', async () => {
    const events: NotifierEvent[] = [];
    const p = await smsPeer({ before: (m) => m.store('+33600000001', 'yes 1042') });
    p.notifier.onEvent((e) => events.push(e));
    try {
      const stored = waitForValue<NotifierEvent>((fn) => p.notifier.onEvent(fn), () => true, 10_000, 'the stored answer');
      await p.notifier.start();
      expect(await stored).toMatchObject({ channel: 'sms', from: '+33600000001', kind: 'accepted', alarmNumber: '1042' });
      expect(p.modem.commands).toContain('AT+CMGD=1');
      const other = waitForValue<NotifierEvent>((fn) => p.notifier.onEvent(fn), (e) => e.from === '+33600000002', 10_000, 'a second answer');
      p.modem.deliver('+33600000003', 'who is this?'); // not an answer: ignored
      p.modem.deliver('+33600000002', 'NO sorry');
      expect(await other).toMatchObject({ kind: 'rejected' });
      expect(events.map((e) => e.from)).toEqual(['+33600000001', '+33600000002']);
    } finally {
      await p.notifier.stop();
      await p.close();
    }
  });

  it('fails a send the network refuses, and stays healthy (the modem answers)', async () => {
    const p = await smsPeer();
    try {
      await p.notifier.start();
      p.modem.failSends = true;
      expect(await p.notifier.send(notification(p))).toEqual({ status: 'failed', detail: '+CMS ERROR: 500' });
      expect(p.notifier.healthy()).toBe(true);
      p.modem.failSends = false;
      expect((await p.notifier.send(notification(p))).status).toBe('sent'); // nothing left half-open
    } finally {
      await p.notifier.stop();
      await p.close();
    }
  });

  const LADDER = 'VIGIL ALARM 1042: SOS · Chloé Dupont (+33 6 12 34 56 78) · Atelier B, 2 min ago · Reply 1 or YES to accept, 2 or NO if you can\'t (YES 1042 if you have several). · https://centre.example.org/r/AbCdEfGhIjKlMnOpQrStUv';

  it('sends a 200-character ladder SMS as two concatenated parts the modem accepts, and ties both status reports to it', async () => {
    const p = await smsPeer();
    const events: NotifierEvent[] = [];
    p.notifier.onEvent((e) => events.push(e));
    try {
      await p.notifier.start();
      expect(LADDER.length).toBeGreaterThan(160);
      const got = p.nextReceived();
      const n = { ...notification(p), text: LADDER };
      const r = await p.notifier.send(n);
      expect(r).toEqual({ status: 'sent', detail: 'message references 1, 2 (2 parts)' });
      const m = (await got) as SentSms;
      expect(m.text).toBe(LADDER.replace(/·/g, '-'));
      expect(m.parts.map((x) => [x.encoding, x.concat?.seq, x.concat?.total, x.statusReport])).toEqual([['gsm7', 1, 2, true], ['gsm7', 2, 2, true]]);
      const delivered = waitForValue<NotifierEvent>((fn) => p.notifier.onEvent(fn), (e) => e.kind === 'delivered', 10_000, 'the delivery report');
      p.modem.report(m.references[0]!, PHONE);
      p.modem.cdsWithoutSca = true; // the second report as some modems print it
      p.modem.report(m.references[1]!, PHONE);
      expect(await delivered).toMatchObject({ notificationId: n.id, channel: 'sms', kind: 'delivered' });
      expect(events.filter((e) => e.kind === 'delivered')).toHaveLength(1); // once, when both parts are delivered
    } finally {
      await p.notifier.stop();
      await p.close();
    }
  });

  it('sends Cyrillic (and any script outside GSM 7-bit) as UCS-2, 67 characters a part', async () => {
    const p = await smsPeer();
    try {
      await p.notifier.start();
      const text = 'ТРЕВОГА 1042: SOS · Хлоя Дюпон · Цех Б, 2 мин назад · Ответьте 1 или ДА, чтобы принять, 2 или НЕТ, если не можете.';
      const got = p.nextReceived();
      expect((await p.notifier.send({ ...notification(p), text })).status).toBe('sent');
      const m = (await got) as SentSms;
      expect(m.text).toBe(text.replace(/·/g, '-'));
      expect(m.parts.map((x) => [x.encoding, x.text.length])).toEqual([['ucs2', 67], ['ucs2', text.length - 67]]);
    } finally {
      await p.notifier.stop();
      await p.close();
    }
  });

  it('reports a permanent delivery failure (stored status report, +CDSI) as failed for the notification', async () => {
    const p = await smsPeer({ before: (m) => (m.supportedDs = [0, 2]) }); // this modem only stores reports and announces them
    try {
      await p.notifier.start();
      expect(p.sms.modem.reports).toBe('+CDSI');
      expect(p.modem.commands.filter((c) => c.startsWith('AT+CNMI'))).toEqual(['AT+CNMI=2,1,0,1,0', 'AT+CNMI=2,1,0,2,0']);
      const got = p.nextReceived();
      const n = notification(p);
      await p.notifier.send(n);
      const m = (await got) as SentSms;
      const failed = waitForValue<NotifierEvent>((fn) => p.notifier.onEvent(fn), (e) => e.kind === 'failed', 10_000, 'the failure report');
      p.modem.report(m.references[0]!, PHONE, 0x20); // temporary: the centre keeps trying — nothing yet
      p.modem.report(m.references[0]!, PHONE, 0x41); // 0x41 incompatible destination (23.040 §9.2.3.15)
      expect(await failed).toMatchObject({ notificationId: n.id, kind: 'failed', text: expect.stringContaining('0x41') });
      expect(p.modem.commands.filter((c) => c.startsWith('AT+CMGR='))).toHaveLength(2);
    } finally {
      await p.notifier.stop();
      await p.close();
    }
  });

  it('still sends, without delivery reports, on a modem that routes none', async () => {
    const p = await smsPeer({ before: (m) => (m.supportedDs = [0]) });
    try {
      await p.notifier.start();
      expect(p.sms.modem.reports).toBe('none');
      expect(p.notifier.healthy()).toBe(true);
      const got = p.nextReceived();
      expect((await p.notifier.send(notification(p))).status).toBe('sent');
      await got;
    } finally {
      await p.notifier.stop();
      await p.close();
    }
  });

  it('reads an answer with a letter outside ASCII ("Sí")', async () => {
    const p = await smsPeer();
    try {
      await p.notifier.start();
      const answer = waitForValue<NotifierEvent>((fn) => p.notifier.onEvent(fn), () => true, 10_000, 'the answer');
      p.modem.deliver('+33600000005', 'Sí 1042, voy');
      expect(await answer).toMatchObject({ kind: 'accepted', alarmNumber: '1042', text: 'Sí 1042, voy' });
    } finally {
      await p.notifier.stop();
      await p.close();
    }
  });

  it('never counts a bare OK to AT+CMGS (a late answer of an earlier command) as a sent message', async () => {
    const p = await smsPeer();
    try {
      await p.notifier.start();
      p.modem.okWithoutPrompt = true;
      expect(await p.notifier.send(notification(p))).toEqual({ status: 'failed', detail: 'the modem answered OK without a message reference (+CMGS): not sent' });
      p.modem.okWithoutPrompt = false;
      const got = p.nextReceived();
      expect((await p.notifier.send(notification(p))).status).toBe('sent');
      expect((await got).text).toContain('VIGIL ALARM'); // the prompt was aborted: no command ended up in the text
    } finally {
      await p.notifier.stop();
      await p.close();
    }
  });

  it('a modem answering ERROR to everything is unhealthy, is tried again every 5 s (not in a loop), and is taken back once it answers', async () => {
    const clock = new VirtualClock();
    const p = await smsPeer({ clock, before: (m) => (m.failAll = true) });
    const tries = (): number => p.modem.commands.filter((c) => c === 'AT').length;
    try {
      const failed = waitForEvent(p.sms.modem, 'initFailed', () => true, 5000, 'the first initialisation to fail');
      await p.notifier.start();
      await failed;
      expect(p.notifier.healthy()).toBe(false);
      expect(await p.notifier.send(notification(p))).toEqual({ status: 'failed', detail: 'the modem port is not open' });
      for (let n = 2; n <= 4; n++) {
        await clock.advanceAsync(4999);
        expect(tries()).toBe(n - 1);
        const again = waitForEvent(p.sms.modem, 'initFailed', () => true, 5000, `try ${n} to fail`);
        await clock.advanceAsync(1);
        await again; // its ERROR came back and the port is closed again: only now may time move on
        expect(tries()).toBe(n);
      }
      p.modem.failAll = false;
      const up = waitForEvent(p.sms.modem, 'state', (ok: boolean) => ok, 5000, 'the modem initialised');
      await clock.advanceAsync(5000);
      await up;
      const got = p.nextReceived();
      expect((await p.notifier.send(notification(p))).status).toBe('sent');
      await got;
    } finally {
      await p.notifier.stop();
      await p.close();
    }
  });

  it.each([
    ['1', 'accepted', undefined], ['YES', 'accepted', undefined], ['oui', 'accepted', undefined], ['Yes 1042', 'accepted', '1042'], ['yes #1042 on my way', 'accepted', '1042'],
    ['2', 'rejected', undefined], ['No', 'rejected', undefined], ['nein', 'rejected', undefined], ['NO 1043', 'rejected', '1043'],
  ])('reads %j as %s', (text, kind, number) => {
    expect(parseReply(text)).toEqual({ kind, ...(number ? { alarmNumber: number } : {}) });
  });

  it.each(['', 'maybe', '12', 'yesterday', 'not now', 'síntoma', 'Jaap here'])('ignores %j', (text) => {
    expect(parseReply(text)).toBeUndefined();
  });
});
