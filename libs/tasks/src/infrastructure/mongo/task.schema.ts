import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/** A task as stored; `visible_to` (creator, assignee, reviewer) lets one index serve lists. */
@Schema({ collection: 'tasks', versionKey: false, minimize: false, id: false })
export class TaskDocument {
  @Prop({ type: String, required: true }) _id!: string;
  @Prop({ type: String, required: true }) title!: string;
  @Prop({ type: String, default: '' }) description!: string;
  @Prop({ type: String, required: true }) status!: string;
  @Prop({ type: String, required: true }) priority!: string;
  @Prop({ type: Date, default: null }) due_at!: Date | null;
  @Prop({ type: String, required: true }) creator_id!: string;
  @Prop({ type: String, default: null }) assignee_id!: string | null;
  @Prop({ type: String, default: null }) reviewer_id!: string | null;
  @Prop({ type: [String], required: true }) visible_to!: string[];
  /** The priority as a number, urgent first, so the claim queue sorts by it. */
  @Prop({ type: Number, required: true }) priority_rank!: number;
  @Prop({ type: Boolean, default: false }) open!: boolean;
  @Prop({ type: String, default: 'any' }) open_to!: string;
  @Prop({ type: Date, default: null }) lease_expires_at!: Date | null;
  @Prop({ type: Number, default: null }) lease_seconds!: number | null;
  @Prop({ type: Number, required: true }) version!: number;
  @Prop({ type: Date, required: true }) created_at!: Date;
  @Prop({ type: Date, required: true }) updated_at!: Date;
  @Prop({ type: Date, default: null }) deleted_at!: Date | null;
}

export const TaskSchema = SchemaFactory.createForClass(TaskDocument);
