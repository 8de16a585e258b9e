import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/** An endpoint as stored; the secrets are kept in clear, since signing needs them. */
@Schema({ collection: 'webhooks', versionKey: false, minimize: false, id: false })
export class WebhookDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) owner_id!: string;
  @Prop({ type: String, required: true }) url!: string;
  @Prop({ type: [String], default: null }) types!: string[] | null;
  @Prop({ type: String, default: null }) description!: string | null;
  @Prop({ type: Boolean, required: true }) enabled!: boolean;
  @Prop({ type: String, default: null }) disabled_reason!: string | null;
  @Prop({ type: [MongooseSchema.Types.Mixed], required: true })
  secrets!: { secret: string; expires_at: Date | null }[];
  @Prop({ type: Date, default: null }) failing_since!: Date | null;
  @Prop({ type: Date, required: true }) created_at!: Date;
  @Prop({ type: Date, required: true }) updated_at!: Date;
}
export const WebhookSchema = SchemaFactory.createForClass(WebhookDocument);

/** `_id` = `<endpoint>:<event id>` (or `…~<replay id>`): a delivery is owed once. */
@Schema({ collection: 'webhook_deliveries', versionKey: false, minimize: false, id: false })
export class WebhookDeliveryDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) endpoint_id!: string;
  @Prop({ type: String, required: true }) event_id!: string;
  @Prop({ type: String, required: true }) event_type!: string;
  @Prop({ type: String, required: true }) task_id!: string;
  @Prop({ type: Number, required: true }) version!: number;
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) event!: Record<string, unknown>;
  @Prop({ type: Number, required: true }) attempt!: number;
  @Prop({ type: String, required: true }) status!: string;
  @Prop({ type: Date, required: true }) due_at!: Date;
  @Prop({ type: Date, required: true }) created_at!: Date;
}
export const WebhookDeliverySchema = SchemaFactory.createForClass(WebhookDeliveryDocument);

/** `_id` = `<delivery id>:<attempt>`: inserting it is the claim to send that attempt. */
@Schema({ collection: 'webhook_attempts', versionKey: false, minimize: false, id: false })
export class WebhookAttemptDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) endpoint_id!: string;
  @Prop({ type: String, required: true }) delivery_id!: string;
  @Prop({ type: String, required: true }) event_id!: string;
  @Prop({ type: Number, required: true }) attempt!: number;
  @Prop({ type: String, required: true }) status!: string;
  @Prop({ type: Number, default: null }) response_status!: number | null;
  @Prop({ type: String, default: null }) error!: string | null;
  @Prop({ type: Number, default: null }) duration_ms!: number | null;
  @Prop({ type: Date, required: true }) at!: Date;
  @Prop({ type: Date, default: null }) next_attempt_at!: Date | null;
}
export const WebhookAttemptSchema = SchemaFactory.createForClass(WebhookAttemptDocument);

/** `_id` = `<endpoint>:<n>`: inserting it is the claim of the cursor's n-th move. */
@Schema({ collection: 'webhook_cursors', versionKey: false, minimize: false, id: false })
export class WebhookCursorDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) endpoint_id!: string;
  @Prop({ type: Number, required: true }) n!: number;
  @Prop({ type: String, required: true }) position!: string;
  @Prop({ type: Date, required: true }) at!: Date;
}
export const WebhookCursorSchema = SchemaFactory.createForClass(WebhookCursorDocument);

/** A replay's range; its progress is its cursor in webhook_cursors (`<endpoint>~<replay>`). */
@Schema({ collection: 'webhook_replays', versionKey: false, minimize: false, id: false })
export class WebhookReplayDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) endpoint_id!: string;
  @Prop({ type: String, required: true }) until!: string;
  @Prop({ type: Date, required: true }) created_at!: Date;
  @Prop({ type: Date, default: null }) finished_at!: Date | null;
}
export const WebhookReplaySchema = SchemaFactory.createForClass(WebhookReplayDocument);
