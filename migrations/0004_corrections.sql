CREATE TABLE "correction_reviews" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"correction_id" uuid NOT NULL,
	"reviewer_id" uuid NOT NULL,
	"decision" text NOT NULL,
	"comment" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "correction_reviews_once" UNIQUE("correction_id","reviewer_id"),
	CONSTRAINT "correction_reviews_decision_valid" CHECK (decision IN ('approve', 'reject'))
);
--> statement-breakpoint
CREATE TABLE "corrections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"benchmark_id" text NOT NULL,
	"dataset_version_id" uuid NOT NULL,
	"example_id" text NOT NULL,
	"fields" jsonb NOT NULL,
	"before" jsonb NOT NULL,
	"category" text NOT NULL,
	"rationale" text NOT NULL,
	"evidence" text DEFAULT '' NOT NULL,
	"validation" jsonb,
	"state" text DEFAULT 'proposed' NOT NULL,
	"proposed_by" uuid NOT NULL,
	"superseded_by" uuid,
	"released_in" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	CONSTRAINT "corrections_category_valid" CHECK (category IN ('wrong_gold', 'ambiguous_question', 'wrong_evidence', 'schema_mismatch', 'wrong_label', 'other')),
	CONSTRAINT "corrections_state_valid" CHECK (state IN ('proposed', 'approved', 'rejected', 'withdrawn', 'superseded', 'released')),
	CONSTRAINT "corrections_rationale_given" CHECK (length(btrim("corrections"."rationale")) > 0),
	CONSTRAINT "corrections_fields_given" CHECK (jsonb_typeof("corrections"."fields") = 'object' AND "corrections"."fields" <> '{}'::jsonb),
	CONSTRAINT "corrections_released" CHECK (("corrections"."state" = 'released') = ("corrections"."released_in" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_action_valid";--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "example_id" text;--> statement-breakpoint
ALTER TABLE "dataset_versions" ADD COLUMN "changed_examples" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "correction_reviews" ADD CONSTRAINT "correction_reviews_correction_id_corrections_id_fk" FOREIGN KEY ("correction_id") REFERENCES "public"."corrections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "correction_reviews" ADD CONSTRAINT "correction_reviews_reviewer_id_users_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "corrections" ADD CONSTRAINT "corrections_benchmark_id_benchmarks_id_fk" FOREIGN KEY ("benchmark_id") REFERENCES "public"."benchmarks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "corrections" ADD CONSTRAINT "corrections_dataset_version_id_dataset_versions_id_fk" FOREIGN KEY ("dataset_version_id") REFERENCES "public"."dataset_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "corrections" ADD CONSTRAINT "corrections_proposed_by_users_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "corrections" ADD CONSTRAINT "corrections_superseded_by_corrections_id_fk" FOREIGN KEY ("superseded_by") REFERENCES "public"."corrections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "corrections" ADD CONSTRAINT "corrections_released_in_dataset_versions_id_fk" FOREIGN KEY ("released_in") REFERENCES "public"."dataset_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "corrections_benchmark_idx" ON "corrections" USING btree ("benchmark_id","state");--> statement-breakpoint
CREATE INDEX "corrections_example_idx" ON "corrections" USING btree ("dataset_version_id","example_id");--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_action_valid" CHECK (action IN ('user.created', 'team.created', 'membership.added', 'membership.role_changed', 'membership.removed', 'api_token.created', 'api_token.revoked', 'runner_token.created', 'runner_token.revoked', 'benchmark.imported', 'dataset_version.released', 'method.created', 'submission.created', 'submission.queued', 'submission.started', 'submission.finished', 'submission.failed', 'submission.cancelled', 'submission.rerun', 'run.lease_expired', 'correction.proposed', 'correction.reviewed', 'correction.approved', 'correction.rejected', 'correction.withdrawn', 'correction.superseded', 'correction.released'));