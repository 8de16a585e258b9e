import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** An API key as stored: `_id` is the key id; only the secret's hash is kept. */
@Schema({ collection: 'api_keys', versionKey: false, minimize: false, id: false })
export class ApiKeyDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) account_id!: string;
  @Prop({ type: String, required: true }) name!: string;
  @Prop({ type: [String], required: true }) scopes!: string[];
  @Prop({ type: String, required: true }) secret_hash!: string;
  @Prop({ type: Date, required: true }) created_at!: Date;
  @Prop({ type: Date, required: true }) expires_at!: Date;
  @Prop({ type: Date, default: null }) last_used_at!: Date | null;
  @Prop({ type: Date, default: null }) revoked_at!: Date | null;
}

export const ApiKeySchema = SchemaFactory.createForClass(ApiKeyDocument);
