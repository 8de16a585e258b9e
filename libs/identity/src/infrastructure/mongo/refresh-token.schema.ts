import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** One login's chain of refresh tokens; `_id` is the family id. */
@Schema({ collection: 'refresh_families', versionKey: false, minimize: false, id: false })
export class RefreshFamilyDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) account_id!: string;
  @Prop({ type: Date, required: true }) created_at!: Date;
  @Prop({ type: Date, default: null }) revoked_at!: Date | null;
  @Prop({ type: String, default: null }) session_epoch!: string | null;
}

/**
 * One generation of a family. `_id` is `<family id>:<generation>`, so the insert of a successor
 * claims the rotation (unique by MongoDB's own `_id` index); `token_hash` is unique too.
 */
@Schema({ collection: 'refresh_tokens', versionKey: false, minimize: false, id: false })
export class RefreshTokenDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) family_id!: string;
  @Prop({ type: Number, required: true }) generation!: number;
  @Prop({ type: String, required: true }) account_id!: string;
  @Prop({ type: String, required: true }) token_hash!: string;
  @Prop({ type: Date, required: true }) issued_at!: Date;
  @Prop({ type: Date, required: true }) expires_at!: Date;
}

export const RefreshFamilySchema = SchemaFactory.createForClass(RefreshFamilyDocument);
export const RefreshTokenSchema = SchemaFactory.createForClass(RefreshTokenDocument);
