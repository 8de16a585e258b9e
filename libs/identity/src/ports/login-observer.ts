/** Told how each login attempt ended; one refusal value, so metrics never say why a login failed. */
export type LoginResult = 'success' | 'invalid_credentials';

export abstract class LoginObserver {
  abstract attempted(result: LoginResult): void;
}
