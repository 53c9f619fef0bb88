CREATE TABLE "auth_throttles" (
	"scope" text NOT NULL,
	"subject" text NOT NULL,
	"failures" integer NOT NULL,
	"last_failure_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	CONSTRAINT "auth_throttles_scope_subject_pk" PRIMARY KEY("scope","subject"),
	CONSTRAINT "auth_throttles_scope_valid" CHECK (scope IN ('account', 'ip', 'member_lookup', 'signup')),
	CONSTRAINT "auth_throttles_failures_nonnegative" CHECK ("auth_throttles"."failures" >= 0),
	CONSTRAINT "auth_throttles_subject_length" CHECK (length("auth_throttles"."subject") <= 200)
);
--> statement-breakpoint
CREATE INDEX "auth_throttles_last_failure_idx" ON "auth_throttles" USING btree ("last_failure_at");