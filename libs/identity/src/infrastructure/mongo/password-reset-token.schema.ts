import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** A reset token; `_id` is its hash. */
@Schema({ collection: 'password_reset_tokens', versionKey: false, minimize: false, id: false })
export class PasswordResetTokenDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) account_id!: string;
  @Prop({ type: Date, required: true }) issued_at!: Date;
  @Prop({ type: Date, required: true }) expires_at!: Date;
}

/**
 * The single use of a reset token, claimed by inserting this marker: `_id` is the token hash, so
 * a second use fails on MongoDB's own `_id` index.
 */
@Schema({ collection: 'password_reset_uses', versionKey: false, minimize: false, id: false })
export class PasswordResetUseDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: Date, required: true }) used_at!: Date;
}

export const PasswordResetTokenSchema = SchemaFactory.createForClass(PasswordResetTokenDocument);
export const PasswordResetUseSchema = SchemaFactory.createForClass(PasswordResetUseDocument);
