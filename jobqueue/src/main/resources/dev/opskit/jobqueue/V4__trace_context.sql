-- opskit job queue, version 4: the trace context of the code that enqueued a job (OpenTelemetry's
-- propagation fields as a JSON object, W3C traceparent/tracestate by default), so its handler runs
-- in a child span on whichever machine claims it. NULL when the enqueue ran outside a span or
-- without OpenTelemetry: the column costs nothing then. Adding a nullable column without a default
-- rewrites nothing and takes its ACCESS EXCLUSIVE lock only for an instant.
ALTER TABLE jobs ADD COLUMN trace_context text;
