import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { Schema as MongooseSchema } from 'mongoose';

/** A collaboration record as stored, and as embedded in the audit entry that claimed it. */
@Schema({ collection: 'collaboration_records', versionKey: false, minimize: false, id: false })
export class RecordDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) task_id!: string;
  @Prop({ type: String, required: true }) actor_id!: string;
  @Prop({ type: String, required: true }) kind!: string;
  @Prop({ type: String, default: null }) body!: string | null;
  @Prop({ type: Number, required: true }) version!: number;
  @Prop({ type: Date, required: true }) at!: Date;
}

export const RecordSchema = SchemaFactory.createForClass(RecordDocument);

/** `_id` is `<task id>:<version>`: inserting it claims the change (DESIGN §2). */
@Schema({ collection: 'audit_entries', versionKey: false, minimize: false, id: false })
export class AuditEntryDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) task_id!: string;
  @Prop({ type: String, required: true }) actor_id!: string;
  @Prop({ type: String, required: true }) action!: string;
  @Prop({ type: String, default: null }) from_status!: string | null;
  @Prop({ type: String, required: true }) to_status!: string;
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) changes!: Record<
    string,
    { from: unknown; to: unknown }
  >;
  @Prop({ type: Number, required: true }) version!: number;
  @Prop({ type: String, default: null }) request_id!: string | null;
  /** Absent on entries written before it existed, which read as `session`. */
  @Prop({ type: String }) via?: string;
  @Prop({ type: Date, required: true }) at!: Date;
  @Prop({ type: MongooseSchema.Types.Mixed, required: true }) state!: Record<string, unknown>;
  @Prop({ type: [RecordSchema], default: [] }) records!: RecordDocument[];
  /** The entry's stamp in the one log (docs/EVENTS.md); 0008 gave older entries theirs. */
  @Prop({ type: Number }) seq?: number;
}

export const AuditEntrySchema = SchemaFactory.createForClass(AuditEntryDocument);
