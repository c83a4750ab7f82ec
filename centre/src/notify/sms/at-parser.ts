/**
 * The modem's byte stream → lines and prompts (3GPP TS 27.005). Responses end in CR LF;
 * after `AT+CMGS` the modem sends the prompt `> ` with no line end. Chunks may split anywhere, even
 * inside CR LF, so the parser keeps its partial line between chunks. It never throws on input.
 */
export type AtToken = { kind: 'line'; text: string } | { kind: 'prompt' };

export class AtParser {
  private partial = '';

  /** Feeds a chunk; returns the complete tokens it finished. */
  feed(chunk: Uint8Array | string): AtToken[] {
    const out: AtToken[] = [];
    this.partial += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1');
    for (;;) {
      const nl = this.partial.search(/[\r\n]/);
      if (nl < 0) break;
      const line = this.partial.slice(0, nl);
      this.partial = this.partial.slice(nl + 1);
      // Blank lines separate responses; a lone space is the tail of a prompt split as '>' + ' '.
      if (line === '>' || line === '> ') out.push({ kind: 'prompt' });
      else if (line.trim().length > 0) out.push({ kind: 'line', text: line });
    }
    // The prompt is "> " (some modems send ">" alone) with nothing after it.
    if (this.partial === '> ' || this.partial === '>') {
      this.partial = '';
      out.push({ kind: 'prompt' });
    }
    if (this.partial.length > 4096) this.partial = this.partial.slice(-4096); // garbage without line ends
    return out;
  }
}

/** Final result codes end a command; anything else before them is the command's information. */
export function finalResult(line: string): 'ok' | 'error' | undefined {
  if (line === 'OK') return 'ok';
  if (line === 'ERROR' || line.startsWith('+CMS ERROR') || line.startsWith('+CME ERROR')) return 'error';
  return undefined;
}

/** PDU mode (27.005 §3.4.3, §4.1): `+CMGR: <stat>,[<alpha>],<length>` — the PDU is on the next line. */
export function parseCmgrPdu(line: string): { length: number } | undefined {
  const m = /^\+CMGR:\s*\d+,[^,]*,\s*(\d+)\s*$/.exec(line);
  return m ? { length: Number(m[1]) } : undefined;
}

/** PDU mode (27.005 §3.4.2): `+CMGL: <index>,<stat>,[<alpha>],<length>` — the PDU is on the next line. */
export function parseCmglPdu(line: string): { index: number; length: number } | undefined {
  const m = /^\+CMGL:\s*(\d+),\s*\d+,[^,]*,\s*(\d+)\s*$/.exec(line);
  return m ? { index: Number(m[1]), length: Number(m[2]) } : undefined;
}

/** `+CMTI: "SM",3` (a message stored at index 3) and `+CDSI: "SR",3` (a status report stored there). */
export function parseStoredIndication(line: string): { kind: 'message' | 'report'; index: number } | undefined {
  const m = /^\+(CMTI|CDSI):\s*"[^"]*",\s*(\d+)/.exec(line);
  return m ? { kind: m[1] === 'CMTI' ? 'message' : 'report', index: Number(m[2]) } : undefined;
}

/** `+CDS: <length>` (27.005 §3.4.1, <ds>=1): a status report whose PDU is the next line. */
export function parseCds(line: string): number | undefined {
  const m = /^\+CDS:\s*(\d+)\s*$/.exec(line);
  return m ? Number(m[1]) : undefined;
}
