/**
 * The scripted GSM modem against what real modems do (fixtures/gsm-modem.json, each claim with its
 * source): every claim's bytes are written raw to the stand-in over a real pseudo-terminal and its
 * answer compared byte for byte (or by the pattern the claim gives, plus the PDU length rule).
 */
import { SerialPort } from 'serialport';
import { ScriptedModem } from '../helpers/centre-gsm-modem';
import { ptyPair } from '../helpers/centre-pty';
import { decodePdu, hex } from '../../centre/src/notify/sms/pdu';
import fixture from './fixtures/gsm-modem.json';

type Claim = (typeof fixture.claims)[number] & { expectPattern?: string; expect?: string };

/** An SMS-SUBMIT that claims 161 septets of user data (one more than an SMS holds). */
function tooLong(): string {
  const tpdu = [0x11, 0x00, 0x0b, 0x91, 0x33, 0x16, 0x32, 0x54, 0x76, 0xf8, 0x00, 0x00, 0x0b, 161, ...new Array<number>(141).fill(0x61)];
  return `00${hex(tpdu)}`;
}

async function replay(claim: Claim): Promise<string> {
  const pty = await ptyPair();
  const modem = await ScriptedModem.open(pty.b);
  const port = new SerialPort({ path: pty.a, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  let out = '';
  const waiters: (() => void)[] = [];
  port.on('data', (b: Buffer) => {
    out += b.toString('latin1');
    waiters.splice(0).forEach((w) => w());
  });
  const settled = (from: number, done: RegExp): Promise<void> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer matching ${done} to ${claim.id}: ${JSON.stringify(out.slice(from))}`)), 5000);
    const check = (): void => {
      if (done.test(out.slice(from))) {
        clearTimeout(timer);
        resolve();
      } else waiters.push(check);
    };
    check();
  });
  try {
    let last = 0;
    const long = tooLong();
    for (const step of claim.send) {
      last = out.length;
      if (step === '@ONLY_DS_0_1') {
        modem.supportedDs = [0, 1];
        continue;
      }
      if (step === '@REPORT') modem.report(1, '+33601234568');
      else if (step === '@STORE') {
        modem.store('+33601234568', '1 ok');
        continue;
      } else port.write(Buffer.from(step.replace('@LENGTH', String(long.length / 2 - 1)).replace('@LONGPDU', long).replace('@TEXT161', 'a'.repeat(161)), 'latin1'));
      await settled(last, /(OK|ERROR|\+CMS ERROR: \d+|\+CMGS: \d+)\r\n$|> $|\+CDS: \d+\r\n[0-9A-F]+\r\n$/);
      if (/\+CMGS: \d+\r\n$/.test(out)) await settled(last, /OK\r\n$/);
    }
    return out.slice(last);
  } finally {
    await new Promise<void>((resolve) => port.close(() => resolve()));
    await modem.close();
    await pty.close();
  }
}

describe('the scripted GSM modem answers like the modems of fixtures/gsm-modem.json', () => {
  it.each((fixture.claims as Claim[]).map((c) => [c.id, c] as const))('%s', async (_id, claim) => {
    expect(claim.source.length).toBeGreaterThan(20); // a claim without its evidence is no claim
    const got = await replay(claim);
    if (claim.expect !== undefined) {
      expect(got).toBe(claim.expect);
      return;
    }
    const m = new RegExp(claim.expectPattern).exec(got);
    expect(m).not.toBeNull();
    // 27.005 §3.1: <length> counts the TPDU, the PDU shown may carry the SC address in front of it
    const [, length, pdu] = m!;
    expect(decodePdu(pdu!, Number(length))).toMatchObject({ ok: true });
    expect(pdu!.length / 2).toBeGreaterThanOrEqual(Number(length));
  });
});
