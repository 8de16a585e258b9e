import type { ClientSession } from 'mongoose';
import { isDuplicateKey } from './mongo-errors';

/** What the claim needs of a Mongoose model: `create` of a whole document. */
interface Insertable<T> {
  create(docs: T[], options: { session?: ClientSession }): Promise<unknown>;
}

/**
 * Inserts one document in the running unit's session. A unique key decides every race (DESIGN
 * §2): the insert that loses it throws what `lost()` makes, or nothing when `lost()` gives null
 * (the document is already there and that is fine). Any other error is rethrown as it is.
 */
export async function insertClaim<T>(
  model: Insertable<T>,
  doc: T,
  session: ClientSession | undefined,
  lost: () => Error | null,
): Promise<void> {
  try {
    await model.create([doc], { session });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const refusal = lost();
    if (refusal) throw refusal;
  }
}
