ALTER TABLE "evidence" ALTER COLUMN "telegram_file_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "evidence" ADD COLUMN "source" text DEFAULT 'telegram' NOT NULL;