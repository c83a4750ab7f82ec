/**
 * The modem's byte stream → lines and prompts (3GPP TS 27.005 text mode). Responses end in CR LF;
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

/** `+CMGR: "REC UNREAD","+33612345678",,"24/01/05,08:00:00+04"` → the sender. */
export function parseCmgrHeader(line: string): { status: string; from: string } | undefined {
  const m = /^\+CMGR:\s*"([^"]*)","([^"]*)"/.exec(line);
  return m ? { status: m[1]!, from: m[2]! } : undefined;
}

/** `+CMGL: 3,"REC UNREAD","+33612345678",,"…"` → index and sender. */
export function parseCmglHeader(line: string): { index: number; from: string } | undefined {
  const m = /^\+CMGL:\s*(\d+),"[^"]*","([^"]*)"/.exec(line);
  return m ? { index: Number(m[1]), from: m[2]! } : undefined;
}

/** `+CMTI: "SM",3` (new message stored at index 3). */
export function parseCmti(line: string): number | undefined {
  const m = /^\+CMTI:\s*"[^"]*",\s*(\d+)/.exec(line);
  return m ? Number(m[1]) : undefined;
}

/**
 * Text for a text-mode SMS: transliterated to plain ASCII (the safe subset of the GSM 7-bit alphabet
 * whatever `AT+CSCS` a modem defaults to), without control characters — a Ctrl-Z (0x1A) or ESC inside
 * the text would end or abort the message early.
 */
export function smsText(text: string): string {
  return text
    .replace(/[·•]/g, '-').replace(/[—–]/g, '-').replace(/…/g, '...').replace(/[“”«»]/g, '"').replace(/[‘’]/g, "'")
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e\n]/g, '?');
}
