import { AtParser, finalResult, parseCmglHeader, parseCmgrHeader, parseCmti, smsText, type AtToken } from '../../centre/src/notify/sms/at-parser';

const STREAM = 'AT+CMGS="+33612345678"\r\r\n> ' + '\r\n+CMGS: 17\r\n\r\nOK\r\n' + '\r\n+CMTI: "SM",3\r\n' + '\r\n+CMGR: "REC UNREAD","+33600000001",,"26/01/05,08:00:00+04"\r\nYES 1042\r\n\r\nOK\r\n' + 'ERROR\r\n';
const EXPECTED: AtToken[] = [
  { kind: 'line', text: 'AT+CMGS="+33612345678"' }, { kind: 'prompt' }, { kind: 'line', text: '+CMGS: 17' }, { kind: 'line', text: 'OK' },
  { kind: 'line', text: '+CMTI: "SM",3' }, { kind: 'line', text: '+CMGR: "REC UNREAD","+33600000001",,"26/01/05,08:00:00+04"' },
  { kind: 'line', text: 'YES 1042' }, { kind: 'line', text: 'OK' }, { kind: 'line', text: 'ERROR' },
];

describe('AT parser', () => {
  it('gives the same tokens whatever the chunking — split at every byte, and byte by byte', () => {
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const p = new AtParser();
      expect([...p.feed(STREAM.slice(0, cut)), ...p.feed(STREAM.slice(cut))]).toEqual(EXPECTED);
    }
    const p = new AtParser();
    expect([...STREAM].flatMap((ch) => p.feed(ch))).toEqual(EXPECTED);
  });

  it('never throws on garbage and keeps its memory bounded', () => {
    const p = new AtParser();
    expect(() => p.feed(new Uint8Array(10_000).fill(0xff))).not.toThrow();
    expect(p.feed('\r\nOK\r\n')).toEqual([{ kind: 'line', text: expect.stringMatching(/ÿ+/) }, { kind: 'line', text: 'OK' }]);
  });

  it('reads result codes and message headers', () => {
    expect(['OK', 'ERROR', '+CMS ERROR: 500', '+CME ERROR: 10', '+CMGS: 1'].map(finalResult)).toEqual(['ok', 'error', 'error', 'error', undefined]);
    expect(parseCmti('+CMTI: "ME", 12')).toBe(12);
    expect(parseCmgrHeader('+CMGR: "REC READ","+4915112345678",,"26/01/05,08:00:00+04"')).toEqual({ status: 'REC READ', from: '+4915112345678' });
    expect(parseCmglHeader('+CMGL: 4,"REC UNREAD","+33600000001",,"26/01/05,08:00:00+04"')).toEqual({ index: 4, from: '+33600000001' });
    expect(parseCmti('+CREG: 1')).toBeUndefined();
  });

  it('makes text safe for a text-mode SMS', () => {
    expect(smsText('Zoë · Ærø — “ok” … ß\x1a\x1b\n')).toBe('Zoe - ?r? - "ok" ... ???\n');
  });
});
