/**
 * SIP over a stream (TCP, RFC 3261 §18.3): messages are cut by their Content-Length, which is
 * mandatory there. Bytes may arrive split anywhere; CRLF keep-alives between messages (RFC 5626 §3.5.1)
 * are skipped. A message that cannot be framed (no Content-Length, oversized headers) leaves the stream
 * without a boundary: the caller closes the connection, since resynchronising inside SIP is guesswork.
 */
import { MAX_MESSAGE_BYTES } from './message';

export type FrameResult = { ok: true; frames: Buffer[] } | { ok: false; frames: Buffer[]; detail: string };

export class SipStreamFramer {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): FrameResult {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Buffer[] = [];
    for (;;) {
      let skip = 0;
      while (skip < this.buf.length && (this.buf[skip] === 0x0d || this.buf[skip] === 0x0a)) skip++;
      if (skip) this.buf = this.buf.subarray(skip);
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (this.buf.length > MAX_MESSAGE_BYTES) return this.fail(frames, 'headers longer than 64 KiB');
        return { ok: true, frames };
      }
      const head = this.buf.subarray(0, end).toString('latin1');
      const cl = /(?:^|\r\n)(?:content-length|l)[ \t]*:[ \t]*(\d{1,5})[ \t]*(?:\r\n|$)/i.exec(head);
      if (!cl) return this.fail(frames, 'a message without Content-Length on a stream');
      const total = end + 4 + Number(cl[1]);
      if (total > MAX_MESSAGE_BYTES) return this.fail(frames, `a ${total}-byte message`);
      if (this.buf.length < total) return { ok: true, frames };
      frames.push(Buffer.from(this.buf.subarray(0, total)));
      this.buf = this.buf.subarray(total);
    }
  }

  private fail(frames: Buffer[], detail: string): FrameResult {
    this.buf = Buffer.alloc(0);
    return { ok: false, frames, detail };
  }
}
