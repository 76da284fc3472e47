package dev.opskit.migrationguard.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One approval: the rules it covers, who approved, why, and (for an approvals-file line) the
 * fingerprint of the statement it is bound to. Inline form, in a comment directly above the
 * statement: {@code -- opskit:approve drop-column by=alice,bob reason="unused since v1.4"}. File
 * form, one per line: {@code drop-column 3f2a9c0d1e2b4a5f by=alice,bob reason="unused since v1.4"}.
 */
public final class Approval {
    public static final String MARKER = "opskit:approve";
    /** An inline approval of every finding of its rules in the whole file; it must stand before the first statement. */
    public static final String FILE_MARKER = "opskit:approve-file";

    final List<String> rules;
    /** Distinct approvers, lower-case, in the order written. */
    final List<String> approvers;
    final @Nullable String reason;
    final String location;
    final int line;
    final int column;
    /** Null for inline approvals. */
    final @Nullable String fingerprint;
    /** Why this approval is malformed, or null (not final: a misplaced file approval is found later). */
    @Nullable String problem;
    /** Covers every finding of its rules in its file ({@link #FILE_MARKER}). */
    boolean wholeFile;
    boolean used;

    private Approval(List<String> rules, List<String> approvers, @Nullable String reason, String location, int line, int column,
            @Nullable String fingerprint, @Nullable String problem) {
        this.rules = rules;
        this.approvers = approvers;
        this.reason = reason;
        this.location = location;
        this.line = line;
        this.column = column;
        this.fingerprint = fingerprint;
        this.problem = problem;
    }

    /** Parses an approval comment; null if the comment is not one. */
    static @Nullable Approval fromComment(Token comment, String file) {
        String text = comment.text();
        int m = text.indexOf(MARKER);
        if (m < 0) {
            return null;
        }
        boolean wholeFile = text.startsWith(FILE_MARKER, m);
        String body = text.substring(m + (wholeFile ? FILE_MARKER : MARKER).length());
        if (text.startsWith("/*")) {
            int close = body.lastIndexOf("*/");
            if (close >= 0) {
                body = body.substring(0, close);
            }
        }
        Approval ap = parse(body, false, file, comment.line, comment.column);
        ap.wholeFile = wholeFile;
        return ap;
    }

    /** Parses an approvals file; blank lines and lines starting with {@code #} are ignored. */
    public static List<Approval> fromFile(String text, String location) {
        List<Approval> out = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            if (l.startsWith(MARKER)) {
                l = l.substring(MARKER.length());
            }
            out.add(parse(l, true, location, i + 1, 1));
        }
        return out;
    }

    private static Approval parse(String body, boolean withFingerprint, String location, int line, int column) {
        List<String> words = new ArrayList<>();
        Map<String, String> pairs = new LinkedHashMap<>();
        String problem = null;
        int i = 0;
        int n = body.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(body.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int start = i;
            while (i < n && !Character.isWhitespace(body.charAt(i)) && body.charAt(i) != '=') {
                i++;
            }
            String word = body.substring(start, i);
            if (i < n && body.charAt(i) == '=') {
                i++;
                StringBuilder value = new StringBuilder();
                if (i < n && body.charAt(i) == '"') {
                    i++;
                    boolean closed = false;
                    while (i < n) {
                        char c = body.charAt(i++);
                        if (c == '\\' && i < n) {
                            value.append(body.charAt(i++));
                        } else if (c == '"') {
                            closed = true;
                            break;
                        } else {
                            value.append(c);
                        }
                    }
                    if (!closed && problem == null) {
                        problem = "unterminated quoted value for " + word;
                    }
                } else {
                    while (i < n && !Character.isWhitespace(body.charAt(i))) {
                        value.append(body.charAt(i++));
                    }
                }
                String key = word.toLowerCase(Locale.ROOT);
                if (!key.equals("by") && !key.equals("reason") && problem == null) {
                    problem = "unknown key '" + word + "' (expected by= and reason=)";
                }
                pairs.put(key, value.toString());
            } else {
                words.add(word);
            }
        }
        List<String> rules = new ArrayList<>();
        String fingerprint = null;
        if (!words.isEmpty()) {
            for (String r : words.get(0).split(",")) {
                if (!r.isBlank()) {
                    rules.add(r.strip());
                }
            }
        }
        if (withFingerprint) {
            if (words.size() < 2) {
                problem = problem == null ? "missing the statement fingerprint after the rule id" : problem;
            } else {
                fingerprint = words.get(1).toLowerCase(Locale.ROOT);
                if (!fingerprint.matches("[0-9a-f]{16}") && problem == null) {
                    problem = "fingerprint must be 16 hex digits, but was '" + words.get(1) + "'";
                }
            }
        }
        if (words.size() > (withFingerprint ? 2 : 1) && problem == null) {
            problem = "unexpected word '" + words.get(withFingerprint ? 2 : 1) + "'";
        }
        if (rules.isEmpty() && problem == null) {
            problem = "no rule id";
        }
        List<String> approvers = new ArrayList<>();
        String by = pairs.get("by");
        if (by != null) {
            for (String a : by.split(",")) {
                String name = a.strip().toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && !approvers.contains(name)) {
                    approvers.add(name);
                }
            }
        }
        String reason = pairs.get("reason");
        if (problem == null && approvers.isEmpty()) {
            problem = "no approvers (by=name1,name2)";
        }
        if (problem == null && (reason == null || reason.isBlank())) {
            problem = "no reason (reason=\"...\")";
        }
        return new Approval(List.copyOf(rules), List.copyOf(approvers), reason, location, line, column, fingerprint, problem);
    }

    @Override
    public String toString() {
        return location + ":" + line + " " + rules + " by " + approvers;
    }
}
