package dev.opskit.health;

import dev.opskit.core.health.HealthResult;
import dev.opskit.core.health.HealthStatus;
import dev.opskit.core.internal.json.JsonWriter;
import dev.opskit.health.internal.DetailJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes a {@link HealthReport} as opskit JSON, the {@code application/health+json} draft shape,
 * the MicroProfile Health shape, or Kubernetes-style plain text. Bounds what a check can add: at
 * most {@link #MAX_DETAILS} details per check, strings cut at {@link #MAX_STRING} characters, and
 * the caller re-renders without details when the body is still too large.
 */
final class ReportRenderer {
    static final int MAX_DETAILS = 50;
    static final int MAX_STRING = 1000;

    enum Format { JSON, HEALTH_JSON, MICROPROFILE, TEXT }

    private ReportRenderer() {
    }

    static byte[] render(HealthReport report, Format format, boolean details, boolean verbose, @Nullable String truncatedNote) {
        StringBuilder sb = new StringBuilder(256);
        switch (format) {
            case JSON -> json(sb, report, details, truncatedNote);
            case HEALTH_JSON -> healthJson(sb, report, details, truncatedNote);
            case MICROPROFILE -> microprofile(sb, report, details);
            case TEXT -> text(sb, report, details, verbose);
            default -> throw new IllegalStateException("unknown format " + format);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static @Nullable String time(@Nullable Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    private static double millis(java.time.Duration d) {
        return Math.round(d.toNanos() / 1_000.0) / 1_000.0;
    }

    private static void json(StringBuilder sb, HealthReport report, boolean details, @Nullable String truncatedNote) {
        JsonWriter w = new JsonWriter(sb).beginObject();
        w.name("status").value(report.status().name());
        if (report.group() != null) {
            w.name("group").value(report.group());
        }
        w.name("timestamp").value(time(report.timestamp()));
        w.name("uptime").value(report.uptime().truncatedTo(ChronoUnit.MILLIS).toString());
        w.name("uptimeMs").value(report.uptime().toMillis());
        if (report.reason() != null) {
            w.name("reason").value(report.reason());
        }
        if (truncatedNote != null) {
            w.name("truncated").value(truncatedNote);
        }
        w.name("checks").beginObject();
        for (CheckSnapshot c : report.checks()) {
            w.name(c.name()).beginObject();
            w.name("status").value(c.status().name());
            if (details) {
                w.name("critical").value(c.critical());
                w.name("groups").beginArray();
                for (String g : c.groups()) {
                    w.value(g);
                }
                w.endArray();
                w.name("durationMs").value(millis(c.duration()));
                w.name("checkedAt").value(time(c.checkedAt()));
                w.name("lastSuccess").value(time(c.lastSuccess()));
                w.name("lastFailure").value(time(c.lastFailure()));
                w.name("consecutiveFailures").value(c.consecutiveFailures());
                w.name("timedOut").value(c.timedOut());
                HealthResult r = c.result();
                if (!r.details().isEmpty()) {
                    w.name("details");
                    detailsObject(w, r.details());
                }
                if (r.errorType().isPresent() || r.errorMessage().isPresent()) {
                    w.name("error").beginObject();
                    if (r.errorType().isPresent()) {
                        w.name("type").value(r.errorType().get());
                    }
                    if (r.errorMessage().isPresent()) {
                        w.name("message").value(r.errorMessage().get());
                    }
                    w.endObject();
                }
            }
            w.endObject();
        }
        w.endObject();
        w.endObject();
    }

    private static void detailsObject(JsonWriter w, Map<String, Object> details) {
        w.beginObject();
        int n = 0;
        Iterator<Map.Entry<String, Object>> it = details.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, Object> e = it.next();
            if (n == MAX_DETAILS) {
                w.name("…").value((details.size() - MAX_DETAILS) + " more details omitted");
                break;
            }
            DetailJson.any(w.name(cut(e.getKey())), e.getValue(), MAX_STRING);
            n++;
        }
        w.endObject();
    }

    private static String cut(String s) {
        return s.length() <= MAX_STRING ? s : s.substring(0, MAX_STRING - 1) + "…";
    }

    private static String draftStatus(HealthStatus s) {
        return switch (s) {
            case UP -> "pass";
            case DEGRADED -> "warn";
            case DOWN -> "fail";
        };
    }

    private static void healthJson(StringBuilder sb, HealthReport report, boolean details, @Nullable String truncatedNote) {
        JsonWriter w = new JsonWriter(sb).beginObject();
        w.name("status").value(draftStatus(report.status()));
        w.name("description").value(report.group() == null ? "health of all checks" : report.group());
        if (report.reason() != null) {
            w.name("output").value(report.reason());
        }
        if (truncatedNote != null) {
            w.name("notes").beginArray().value(truncatedNote).endArray();
        }
        w.name("checks").beginObject();
        for (CheckSnapshot c : report.checks()) {
            w.name(c.name() + ":responseTime").beginArray().beginObject();
            w.name("componentId").value(c.name());
            w.name("status").value(draftStatus(c.status()));
            if (details) {
                if (c.checkedAt() != null) {
                    w.name("time").value(time(c.checkedAt()));
                }
                w.name("observedValue").value(millis(c.duration()));
                w.name("observedUnit").value("ms");
                if (c.status() != HealthStatus.UP && c.result().errorMessage().isPresent()) {
                    w.name("output").value(c.result().errorMessage().get());
                }
                if (!c.result().details().isEmpty()) {
                    w.name("details");
                    detailsObject(w, c.result().details());
                }
            }
            w.endObject().endArray();
        }
        w.endObject();
        w.endObject();
    }

    private static String mpStatus(HealthStatus s) {
        return s == HealthStatus.DOWN ? "DOWN" : "UP";
    }

    private static void microprofile(StringBuilder sb, HealthReport report, boolean details) {
        JsonWriter w = new JsonWriter(sb).beginObject();
        w.name("status").value(mpStatus(report.status()));
        w.name("checks").beginArray();
        for (CheckSnapshot c : report.checks()) {
            w.beginObject();
            w.name("name").value(c.name());
            w.name("status").value(mpStatus(c.status()));
            if (details) {
                w.name("data").beginObject();
                if (c.status() == HealthStatus.DEGRADED) {
                    w.name("degraded").value(true);
                }
                int n = 0;
                for (Map.Entry<String, Object> e : c.result().details().entrySet()) {
                    if (n++ == MAX_DETAILS) {
                        break;
                    }
                    Object v = e.getValue();
                    // MicroProfile data values are strings, numbers or booleans only
                    if (v instanceof Number || v instanceof Boolean) {
                        DetailJson.any(w.name(cut(e.getKey())), v, MAX_STRING);
                    } else {
                        w.name(cut(e.getKey())).value(cut(String.valueOf(v)));
                    }
                }
                if (c.result().errorMessage().isPresent()) {
                    w.name("error").value(c.result().errorMessage().get());
                }
                w.endObject();
            }
            w.endObject();
        }
        w.endArray();
        w.endObject();
    }

    private static void text(StringBuilder sb, HealthReport report, boolean details, boolean verbose) {
        String probe = HealthGroup.LIVENESS.equals(report.group()) ? "livez" : "readyz";
        if (!verbose) {
            sb.append(report.status() == HealthStatus.DOWN ? probe + " check failed\n" : "ok\n");
            return;
        }
        for (CheckSnapshot c : report.checks()) {
            switch (c.status()) {
                case UP -> sb.append("[+]").append(line(c.name())).append(" ok\n");
                case DEGRADED -> sb.append("[!]").append(line(c.name())).append(" degraded").append(reason(c, details)).append('\n');
                case DOWN -> sb.append(c.critical() ? "[-]" : "[!]").append(line(c.name())).append(" failed")
                        .append(reason(c, details)).append('\n');
                default -> throw new IllegalStateException();
            }
        }
        if (report.reason() != null) {
            sb.append("[-]").append(report.reason()).append('\n');
        }
        sb.append(probe).append(report.status() == HealthStatus.DOWN ? " check failed\n" : " check passed\n");
    }

    private static String reason(CheckSnapshot c, boolean details) {
        if (!details) {
            return c.status() == HealthStatus.DOWN ? ": reason withheld" : "";
        }
        return c.result().errorMessage().map(m -> ": " + line(m.length() > 200 ? m.substring(0, 199) + "…" : m)).orElse("");
    }

    /** One line of text: control characters (a newline in a message, say) become spaces. */
    private static String line(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? ' ' : c);
        }
        return b.toString();
    }
}
