-- GitHub Issues and Jira Cloud as alert channels (server/src/alerts/github/, server/src/alerts/jira/).
ALTER TABLE "alert_channels" DROP CONSTRAINT "alert_channels_type_check";--> statement-breakpoint
ALTER TABLE "alert_channels" ADD CONSTRAINT "alert_channels_type_check" CHECK ("alert_channels"."type" in ('webhook','slack','pagerduty','email','webpush','github','jira'));