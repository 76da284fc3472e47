package dev.opskit.migrationguard.internal;

import dev.opskit.core.internal.json.JsonWriter;
import dev.opskit.migrationguard.Finding;
import dev.opskit.migrationguard.Report;
import dev.opskit.migrationguard.Rule;
import dev.opskit.migrationguard.Severity;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The report formats: text, JSON, SARIF 2.1.0 and GitHub workflow commands. */
public final class Formats {
    public static final String TOOL_NAME = "opskit-migration-guard";
    public static final String TOOL_VERSION = "0.1.0-SNAPSHOT";
    public static final String HELP_URI = "https://github.com/opskit/opskit/blob/main/migration-guard/README.md";

    private Formats() {
    }

    public static String oneLine(String s, int max) {
        String one = s.replaceAll("\\s+", " ").strip();
        return one.length() > max ? one.substring(0, max - 3) + "..." : one;
    }

    private static String label(Finding f) {
        if (f.approved()) {
            return "approved";
        }
        return f.severity() == Severity.BLOCKING ? "blocking" : "warning";
    }

    public static String text(Report r) {
        StringBuilder sb = new StringBuilder();
        for (Finding f : r.findings()) {
            sb.append(f.file()).append(':').append(f.line()).append(':').append(f.column()).append(": ")
                    .append(label(f)).append(" [").append(f.rule().id()).append("] ").append(f.message());
            if (f.approved()) {
                sb.append(" (approved by ").append(String.join(", ", f.approvers())).append(')');
            }
            sb.append('\n');
            if (!f.statement().isEmpty()) {
                sb.append("    ").append(oneLine(f.statement(), 200)).append('\n');
                if (f.blocks() && f.rule().approvalsNeeded() > 0) {
                    sb.append("    approve: ").append(f.rule().id()).append(' ').append(f.fingerprint())
                            .append(" by=").append(f.rule().approvalsNeeded() > 1 ? "<name1>,<name2>" : "<name>")
                            .append(" reason=\"...\"\n");
                }
            }
        }
        sb.append(summaryLine(r)).append('\n');
        return sb.toString();
    }

    public static String summaryLine(Report r) {
        long blocking = r.blocking().size();
        long warnings = r.findings().stream().filter(f -> f.severity() == Severity.WARNING && !f.approved()).count();
        long approved = r.findings().stream().filter(Finding::approved).count();
        return (blocking > 0 ? "FAILED: " : "OK: ") + r.files() + " file(s), " + r.statements() + " statement(s), "
                + blocking + " blocking, " + warnings + " warning(s), " + approved + " approved";
    }

    public static String json(Report r) {
        JsonWriter j = new JsonWriter();
        j.beginObject();
        j.name("findings").beginArray();
        for (Finding f : r.findings()) {
            j.beginObject();
            j.name("file").value(f.file());
            j.name("line").value(f.line());
            j.name("column").value(f.column());
            j.name("rule").value(f.rule().id());
            j.name("severity").value(f.severity().id());
            j.name("message").value(f.message());
            j.name("approved").value(f.approved());
            j.name("approvers").beginArray();
            f.approvers().forEach(j::value);
            j.endArray();
            j.name("blocks").value(f.blocks());
            j.name("fingerprint").value(f.fingerprint());
            j.name("statement").value(f.statement());
            j.endObject();
        }
        j.endArray();
        j.name("summary").beginObject();
        j.name("files").value(r.files());
        j.name("statements").value(r.statements());
        j.name("findings").value(r.findings().size());
        j.name("blocking").value(r.blocking().size());
        j.name("warnings").value(r.findings().stream().filter(f -> f.severity() == Severity.WARNING && !f.approved()).count());
        j.name("approved").value(r.findings().stream().filter(Finding::approved).count());
        j.name("passed").value(!r.hasBlocking());
        j.endObject();
        j.endObject();
        return j.toString() + "\n";
    }

    /** A path relative to the working directory with forward slashes, as code scanning wants. */
    static String uri(String file) {
        try {
            Path p = Path.of(file).toAbsolutePath().normalize();
            Path cwd = Path.of("").toAbsolutePath().normalize();
            if (p.startsWith(cwd)) {
                return cwd.relativize(p).toString().replace('\\', '/');
            }
            return p.toUri().toString();
        } catch (InvalidPathException e) {
            return file.replace('\\', '/');
        }
    }

    /** {@link #uri} as a valid URI reference (SARIF's artifactLocation.uri): spaces, '%', '#' percent-encoded. */
    static String sarifUri(String file) {
        String u = uri(file);
        if (u.startsWith("file:")) {
            return u; // Path.toUri() is encoded already
        }
        try {
            return new java.net.URI(null, null, u, null).getRawPath();
        } catch (java.net.URISyntaxException e) {
            return u;
        }
    }

    public static String sarif(Report r) {
        Map<Rule, Integer> index = new LinkedHashMap<>();
        for (Rule rule : Rule.values()) {
            index.put(rule, index.size());
        }
        JsonWriter j = new JsonWriter();
        j.beginObject();
        j.name("$schema").value("https://json.schemastore.org/sarif-2.1.0.json");
        j.name("version").value("2.1.0");
        j.name("runs").beginArray().beginObject();
        j.name("tool").beginObject().name("driver").beginObject();
        j.name("name").value(TOOL_NAME);
        j.name("version").value(TOOL_VERSION);
        j.name("informationUri").value(HELP_URI);
        j.name("rules").beginArray();
        for (Rule rule : Rule.values()) {
            j.beginObject();
            j.name("id").value(rule.id());
            j.name("name").value(rule.name());
            j.name("shortDescription").beginObject().name("text").value(rule.id() + " (" + rule.category().name().toLowerCase(java.util.Locale.ROOT) + ")").endObject();
            j.name("fullDescription").beginObject().name("text").value(rule.advice()).endObject();
            j.name("help").beginObject().name("text").value(rule.advice()).endObject();
            j.name("helpUri").value(HELP_URI + "#rules");
            j.name("defaultConfiguration").beginObject().name("level").value(level(rule.defaultSeverity())).endObject();
            j.name("properties").beginObject().name("approvalsNeeded").value(rule.approvalsNeeded())
                    .name("category").value(rule.category().name().toLowerCase(java.util.Locale.ROOT)).endObject();
            j.endObject();
        }
        j.endArray();
        j.endObject().endObject();
        j.name("results").beginArray();
        for (Finding f : r.findings()) {
            j.beginObject();
            j.name("ruleId").value(f.rule().id());
            j.name("ruleIndex").value(java.util.Objects.requireNonNull(index.get(f.rule()), "every finding's rule is indexed"));
            j.name("level").value(level(f.severity()));
            j.name("message").beginObject().name("text").value(f.message()).endObject();
            j.name("locations").beginArray().beginObject();
            j.name("physicalLocation").beginObject();
            j.name("artifactLocation").beginObject().name("uri").value(sarifUri(f.file())).endObject();
            j.name("region").beginObject().name("startLine").value(Math.max(1, f.line()))
                    .name("startColumn").value(Math.max(1, f.column())).endObject();
            j.endObject();
            j.endObject().endArray();
            if (!f.fingerprint().isEmpty()) {
                j.name("partialFingerprints").beginObject().name("opskitStatement/v1").value(f.fingerprint()).endObject();
            }
            if (f.approved()) {
                j.name("suppressions").beginArray().beginObject();
                j.name("kind").value("inSource");
                j.name("status").value("accepted");
                j.name("justification").value("approved by " + String.join(", ", f.approvers()));
                j.endObject().endArray();
            }
            j.endObject();
        }
        j.endArray();
        j.endObject().endArray();
        j.endObject();
        return j.toString() + "\n";
    }

    private static String level(Severity s) {
        return switch (s) {
            case BLOCKING -> "error";
            case WARNING -> "warning";
            case OFF -> "none";
        };
    }

    public static String github(Report r) {
        StringBuilder sb = new StringBuilder();
        for (Finding f : r.findings()) {
            String cmd = f.approved() ? "notice" : f.severity() == Severity.BLOCKING ? "error" : "warning";
            sb.append("::").append(cmd)
                    .append(" file=").append(property(uri(f.file())))
                    .append(",line=").append(f.line())
                    .append(",col=").append(f.column())
                    .append(",title=").append(property(f.rule().id() + (f.approved() ? " (approved)" : "")))
                    .append("::").append(data(f.message()))
                    .append('\n');
        }
        sb.append(summaryLine(r)).append('\n');
        return sb.toString();
    }

    private static String data(String s) {
        return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A");
    }

    private static String property(String s) {
        return data(s).replace(":", "%3A").replace(",", "%2C");
    }

    /** Findings grouped for the {@code fingerprint} command. */
    public static List<String> approvalTemplates(Report r) {
        List<String> out = new ArrayList<>();
        for (Finding f : r.findings()) {
            if (f.rule().approvalsNeeded() == 0 || f.fingerprint().isEmpty()) {
                continue;
            }
            out.add("# " + f.file() + ":" + f.line() + ":" + f.column() + " " + oneLine(f.statement(), 100));
            out.add(f.rule().id() + " " + f.fingerprint() + " by=" + " reason=\"\"");
        }
        return out;
    }
}
