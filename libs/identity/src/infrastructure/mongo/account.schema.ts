import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** An account as stored; `_id` is the account id, so the id is unique by construction. */
@Schema({ collection: 'accounts', versionKey: false, minimize: false, id: false })
export class AccountDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) name!: string;
  @Prop({ type: String, required: true }) role!: string;
  @Prop({ type: String, default: null }) email!: string | null;
  @Prop({ type: String, required: true }) status!: string;
  @Prop({ type: String, default: null }) password_hash!: string | null;
  @Prop({ type: Date, required: true }) created_at!: Date;
  @Prop({ type: Date, default: null }) sessions_valid_after!: Date | null;
  @Prop({ type: String, default: null }) session_epoch!: string | null;
  /** Family id → when it was revoked for reuse; one field per family, so marks never collide. */
  @Prop({ type: Object, default: {} }) revoked_families!: Record<string, Date>;
}

export const AccountSchema = SchemaFactory.createForClass(AccountDocument);
