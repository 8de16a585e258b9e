import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Mailer, MailMessage } from '../../ports/mailer';

/**
 * Outside dev mode without SMTP_URL. The API still serves (mail is not its main job), says so at
 * start-up, and logs an error for every mail it cannot send; callers still get their 202.
 */
@Injectable()
export class UnconfiguredMailer extends Mailer implements OnApplicationBootstrap {
  private readonly logger = new Logger('Mail');

  onApplicationBootstrap(): void {
    this.logger.warn('SMTP_URL is not set: password reset mails cannot be delivered');
  }

  async send(message: MailMessage): Promise<void> {
    throw new Error(`SMTP_URL is not set; the mail "${message.subject}" was not sent`);
  }
}
