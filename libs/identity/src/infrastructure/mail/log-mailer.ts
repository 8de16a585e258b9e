import { Injectable, Logger } from '@nestjs/common';
import { Mailer, MailMessage } from '../../ports/mailer';

/** Dev mode without SMTP_URL: the mail, secrets included, goes to the log instead. */
@Injectable()
export class LogMailer extends Mailer {
  private readonly logger = new Logger('Mail');

  async send(message: MailMessage): Promise<void> {
    this.logger.warn(
      `Dev mode, not sent. To: ${message.to}\nSubject: ${message.subject}\n\n${message.text}`,
    );
  }
}
