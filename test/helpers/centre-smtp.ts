/**
 * A real SMTP server (the `smtp-server` package) on a loopback port chosen by the OS, keeping every
 * message it accepts: envelope, headers and text. `close` stops it (a dead relay for failure tests);
 * `refuse` makes it answer every recipient with a permanent error, as a relay that will not take mail.
 */
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  messageId: string;
  text: string;
}

export class TestSmtpServer extends EventEmitter<{ mail: [ReceivedMail]; refused: [string] }> {
  readonly mails: ReceivedMail[] = [];
  /** Recipients it refused, in order. */
  readonly refusals: string[] = [];
  /** When set, every RCPT TO is answered with this code and text (e.g. 550 relay denied). */
  refuse: { code: number; text: string } | undefined;
  private constructor(private readonly server: SMTPServer, readonly port: number) {
    super();
  }

  static async start(): Promise<TestSmtpServer> {
    const ref: { self?: TestSmtpServer } = {};
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        const self = ref.self!;
        if (!self.refuse) return callback();
        self.refusals.push(address.address);
        self.emit('refused', address.address);
        callback(Object.assign(new Error(self.refuse.text), { responseCode: self.refuse.code }));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const [head = '', ...body] = raw.split(/\r?\n\r?\n/);
          const header = (name: string): string => new RegExp(`^${name}:\\s*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head)?.[1]?.replace(/\r?\n[ \t]/g, ' ').trim() ?? '';
          const mail: ReceivedMail = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw,
            subject: decodeWords(header('Subject')), messageId: header('Message-ID'), text: decodeBody(body.join('\n\n'), header('Content-Transfer-Encoding')),
          };
          ref.self!.mails.push(mail);
          ref.self!.emit('mail', mail);
          callback();
        });
      },
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
    });
    ref.self = new TestSmtpServer(server, port);
    return ref.self;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) in a header. */
function decodeWords(v: string): string {
  return v.replace(/\?=\s+=\?/g, '?==?').replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_m, _cs: string, enc: string, text: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decodeBody(text.replace(/_/g, ' '), 'quoted-printable'));
}

function decodeBody(body: string, encoding: string): string {
  if (/quoted-printable/i.test(encoding)) {
    const joined = body.replace(/=\r?\n/g, '');
    const bytes: number[] = [];
    for (let i = 0; i < joined.length; i++) {
      const m = /^=([0-9A-F]{2})/i.exec(joined.slice(i, i + 3));
      if (m) {
        bytes.push(parseInt(m[1]!, 16));
        i += 2;
      } else {
        bytes.push(...Buffer.from(joined[i]!, 'utf8'));
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }
  if (/base64/i.test(encoding)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}
