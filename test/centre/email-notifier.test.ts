/** E-mail over SMTP: the real EmailNotifier (nodemailer) against a real SMTP server started here. */
import { EmailNotifier } from '../../centre/src/notify/email';
import { TestSmtpServer, type ReceivedMail } from '../helpers/centre-smtp';
import { waitForEvent } from '../../rig/wait';
import { describeNotifier, notification, type NotifierPeer } from './notifier-contract';

async function emailPeer(): Promise<NotifierPeer & { smtp: TestSmtpServer }> {
  const smtp = await TestSmtpServer.start();
  let closed = false;
  const notifier = new EmailNotifier({ host: '127.0.0.1', port: smtp.port, secure: false, from: 'Vigil <alarms@vigil.example.org>', insecureTls: false }, 2000);
  return {
    notifier, smtp, address: 'sue@example.org',
    nextReceived: () => waitForEvent<[ReceivedMail]>(smtp, 'mail', () => true, 10_000, 'a mail at the SMTP server').then(([m]) => m),
    breakChannel: async () => {
      closed = true;
      await smtp.close();
    },
    close: async () => {
      if (!closed) await smtp.close();
    },
  };
}

describeNotifier('e-mail over SMTP (nodemailer ↔ smtp-server)', () => emailPeer());

describe('e-mail channel specifics', () => {
  it('sends to the contact with the notification id as Message-ID and the alarm number in a header', async () => {
    const p = await emailPeer();
    try {
      await p.notifier.start();
      const n = notification(p);
      const got = p.nextReceived() as Promise<ReceivedMail>;
      await p.notifier.send(n);
      const mail = await got;
      expect(mail.to).toEqual(['sue@example.org']);
      expect(mail.from).toBe('alarms@vigil.example.org');
      expect(mail.messageId).toBe(`<${n.id}@vigil>`);
      expect(mail.subject).toBe(n.subject);
      expect(mail.raw).toMatch(new RegExp(`^X-Vigil-Alarm: ${n.alarmNumber}`, 'm'));
    } finally {
      await p.notifier.stop();
      await p.close();
    }
  });
});
