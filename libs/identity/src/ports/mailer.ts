export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export abstract class Mailer {
  abstract send(message: MailMessage): Promise<void>;
}
