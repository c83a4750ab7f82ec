/**
 * E-mail over SMTP (nodemailer). At-least-once: the Message-ID is `<notification id@vigil>`, so a
 * message sent again after a crash is recognisably the same one. `sent` means the SMTP server took it.
 * Health: the transport is verified at start and after each failure; the notifier reports unhealthy
 * while the server cannot be reached.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { EmailConfig } from '../config';
import type { DeliveryResult, Notification, Notifier, NotifierEvent } from './types';

export class EmailNotifier implements Notifier {
  readonly channel = 'email' as const;
  readonly delivery = 'at-least-once' as const;
  private transporter: Transporter | undefined;
  private ok = false;

  constructor(private readonly opts: EmailConfig, private readonly timeoutMs = 15_000) {}

  async start(): Promise<void> {
    this.transporter = nodemailer.createTransport({
      host: this.opts.host, port: this.opts.port, secure: this.opts.secure,
      ...(this.opts.username ? { auth: { user: this.opts.username, pass: this.opts.password ?? '' } } : {}),
      ...(this.opts.insecureTls ? { tls: { rejectUnauthorized: false } } : {}),
      connectionTimeout: this.timeoutMs, greetingTimeout: this.timeoutMs, socketTimeout: this.timeoutMs,
    });
    await this.verify();
  }

  async stop(): Promise<void> {
    this.transporter?.close();
    this.transporter = undefined;
  }

  async send(n: Notification): Promise<DeliveryResult> {
    if (!this.transporter) return { status: 'failed', detail: 'e-mail notifier not started' };
    try {
      const info = (await this.transporter.sendMail({
        from: this.opts.from, to: n.to, subject: n.subject, text: n.text, messageId: `<${n.id}@vigil>`,
        headers: { 'X-Vigil-Alarm': n.alarmNumber, 'X-Priority': '1' },
      })) as { response?: string; rejected?: unknown[] };
      if (Array.isArray(info.rejected) && info.rejected.length > 0) return { status: 'failed', detail: `rejected by the server: ${String(info.response ?? '')}` };
      this.ok = true;
      return { status: 'sent', ...(info.response ? { detail: String(info.response).slice(0, 200) } : {}) };
    } catch (e) {
      this.ok = false;
      void this.verify();
      return { status: 'failed', detail: (e as Error).message.slice(0, 200) };
    }
  }

  /** E-mail carries the responder link; answers come through it, not as replies. */
  onEvent(_fn: (e: NotifierEvent) => void): () => void {
    return () => undefined;
  }

  healthy(): boolean {
    return this.ok;
  }

  private async verify(): Promise<void> {
    try {
      await this.transporter?.verify();
      this.ok = true;
    } catch {
      this.ok = false;
    }
  }
}
