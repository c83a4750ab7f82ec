import { AtParser, finalResult, parseCds, parseCmglPdu, parseCmgrPdu, parseStoredIndication, type AtToken } from '../../centre/src/notify/sms/at-parser';

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
    expect(parseStoredIndication('+CMTI: "ME", 12')).toEqual({ kind: 'message', index: 12 });
    expect(parseStoredIndication('+CDSI: "SR",3')).toEqual({ kind: 'report', index: 3 });
    expect(parseStoredIndication('+CREG: 1')).toBeUndefined();
    expect(parseCmgrPdu('+CMGR: 0,,24')).toEqual({ length: 24 });
    expect(parseCmgrPdu('+CMGR: 1,"Ann",24')).toEqual({ length: 24 });
    expect(parseCmgrPdu('+CMGR: "REC READ","+4915112345678",,"26/01/05,08:00:00+04"')).toBeUndefined(); // text mode
    expect(parseCmglPdu('+CMGL: 4,0,,23')).toEqual({ index: 4, length: 23 });
    expect(parseCds('+CDS: 25')).toBe(25);
    expect(parseCds('+CDS: 6,0,"+33600000001",145,"26/01/05,08:00:00+04","26/01/05,08:00:10+04",0')).toBeUndefined(); // text mode
  });
});
