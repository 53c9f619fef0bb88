CREATE TABLE "correction_validations" (
	"correction_id" uuid PRIMARY KEY NOT NULL,
	"family" text NOT NULL,
	"status" text DEFAULT 'validating' NOT NULL,
	"example" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"runner_id" uuid,
	"lease_expires_at" timestamp with time zone,
	"available_at" timestamp with time zone DEFAULT now() NOT NULL,
	"message" text,
	"answered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "correction_validations_family_valid" CHECK (family IN ('text2sql', 'rerank', 'lora')),
	CONSTRAINT "correction_validations_status_valid" CHECK (status IN ('validating', 'valid', 'invalid', 'unvalidated')),
	CONSTRAINT "correction_validations_attempts_valid" CHECK ("correction_validations"."attempts" >= 0),
	CONSTRAINT "correction_validations_answered" CHECK (("correction_validations"."status" = 'validating') = ("correction_validations"."answered_at" IS NULL))
);
--> statement-breakpoint
ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_action_valid";--> statement-breakpoint
ALTER TABLE "correction_validations" ADD CONSTRAINT "correction_validations_correction_id_corrections_id_fk" FOREIGN KEY ("correction_id") REFERENCES "public"."corrections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "correction_validations" ADD CONSTRAINT "correction_validations_runner_id_runners_id_fk" FOREIGN KEY ("runner_id") REFERENCES "public"."runners"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "correction_validations_pending_idx" ON "correction_validations" USING btree ("family","available_at") WHERE "correction_validations"."status" = 'validating';--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_action_valid" CHECK (action IN ('user.created', 'team.created', 'membership.added', 'membership.role_changed', 'membership.removed', 'api_token.created', 'api_token.revoked', 'runner_token.created', 'runner_token.revoked', 'benchmark.imported', 'dataset_version.released', 'method.created', 'submission.created', 'submission.queued', 'submission.started', 'submission.finished', 'submission.failed', 'submission.cancelled', 'submission.rerun', 'run.lease_expired', 'correction.proposed', 'correction.reviewed', 'correction.approved', 'correction.rejected', 'correction.withdrawn', 'correction.superseded', 'correction.released', 'correction.validated'));--> statement-breakpoint
-- Corrections proposed before validation moved to runners: those `trueboard start` checked in process
-- carry its evidence and count as valid; the others were never executed and say so.
INSERT INTO "correction_validations" ("correction_id", "family", "status", "example", "message", "answered_at", "created_at")
SELECT c."id", b."family",
  CASE WHEN c."validation" IS NULL THEN 'unvalidated' ELSE 'valid' END,
  '{}'::jsonb,
  CASE WHEN c."validation" IS NULL THEN 'proposed before runners validated corrections; never executed' END,
  c."created_at", c."created_at"
FROM "corrections" c JOIN "benchmarks" b ON b."id" = c."benchmark_id";
