import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '@taskflow/platform';
import { createTransport } from 'nodemailer';
import { Mailer, MailMessage } from '../../ports/mailer';

/** Sends mail through the SMTP server named by SMTP_URL, from MAIL_FROM. */
@Injectable()
export class SmtpMailer extends Mailer implements OnModuleDestroy {
  private readonly transport;

  constructor(config: AppConfig) {
    super();
    this.transport = createTransport(config.smtpUrl as string, { from: config.mailFrom });
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({ to: message.to, subject: message.subject, text: message.text });
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
