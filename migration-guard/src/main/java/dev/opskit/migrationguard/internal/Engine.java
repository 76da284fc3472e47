package dev.opskit.migrationguard.internal;

import dev.opskit.migrationguard.Finding;
import dev.opskit.migrationguard.GuardConfig;
import dev.opskit.migrationguard.Rule;
import dev.opskit.migrationguard.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the analyzer over migration sources in order, then applies approvals (inline and from
 * approvals files) and the configured severities.
 */
public final class Engine {
    private static final int MAX_STATEMENT_CHARS = 2000;

    /** A migration script: its display path, its text, and the group (directory) whose approvals file applies. */
    public record Source(String path, String text, String group, List<RawFinding> extraFindings) {
        public Source(String path, String text, String group) {
            this(path, text, group, List.of());
        }
    }

    /** An approvals file; unused approvals in it are reported only when {@code reportUnused}. */
    public record ApprovalsSource(String path, String text, String group, boolean reportUnused) {
    }

    /** Findings plus counts. */
    public record Result(List<Finding> findings, int files, int statements) {
    }

    private Engine() {
    }

    public static Result run(List<Source> sources, List<ApprovalsSource> approvalSources, GuardConfig config) {
        List<RawFinding> raw = new ArrayList<>();
        List<Approval> fileApprovals = new ArrayList<>();
        Map<Approval, String> fileApprovalGroup = new IdentityHashMap<>();
        Map<Approval, Boolean> reportUnused = new IdentityHashMap<>();
        for (ApprovalsSource a : approvalSources) {
            for (Approval ap : Approval.fromFile(withoutBom(a.text()), a.path())) {
                fileApprovals.add(ap);
                fileApprovalGroup.put(ap, a.group());
                reportUnused.put(ap, a.reportUnused());
            }
        }
        List<Approval> inlineApprovals = new ArrayList<>();
        List<Finding> out = new ArrayList<>();
        int statements = 0;
        SchemaFacts facts = new SchemaFacts(); // sources come in migration order
        for (Source src : sources) {
            Analyzer analyzer = new Analyzer(src.path(), config.assumeInTransaction(), facts, config.pgVersion());
            analyzer.analyzeFile(withoutBom(src.text()));
            statements += analyzer.statements().size();
            Map<Token, Approval> byComment = new IdentityHashMap<>();
            List<Approval> wholeFile = new ArrayList<>();
            List<Statement> stmts = analyzer.statements();
            for (Token c : analyzer.comments()) {
                Approval ap = Approval.fromComment(c, src.path());
                if (ap != null) {
                    byComment.put(c, ap);
                    inlineApprovals.add(ap);
                    reportUnused.put(ap, Boolean.TRUE);
                    if (ap.wholeFile) {
                        // At the top, where a reviewer reads it first; not buried between statements.
                        if (!stmts.isEmpty() && after(c, stmts.get(0)) && ap.problem == null) {
                            ap.problem = "a file approval (" + Approval.FILE_MARKER + ") must stand before the first statement";
                        }
                        wholeFile.add(ap);
                    }
                }
            }
            List<RawFinding> fileFindings = new ArrayList<>();
            Map<String, Statement> byPosition = new java.util.HashMap<>();
            for (Statement st : stmts) {
                byPosition.putIfAbsent(st.line() + ":" + st.column(), st);
            }
            for (RawFinding f : src.extraFindings()) {
                // A finding made from another parse of this text (the trace) is bound to this parse's
                // statement at the same position, so its inline approvals apply.
                Statement own = f.statement() == null ? null : byPosition.get(f.line() + ":" + f.column());
                fileFindings.add(own == null ? f : new RawFinding(f.rule(), f.file(), f.line(), f.column(), f.message(), own));
            }
            fileFindings.addAll(analyzer.findings());
            for (RawFinding f : fileFindings) {
                resolve(f, src, byComment, wholeFile, fileApprovals, fileApprovalGroup, config, out);
            }
        }
        List<Approval> all = new ArrayList<>(fileApprovals);
        all.addAll(inlineApprovals);
        for (Approval ap : all) {
            if (ap.problem != null) {
                out.add(meta(config, Rule.APPROVAL_INSUFFICIENT, ap, "Approval is malformed: " + ap.problem + "."));
                continue;
            }
            List<String> unknown = ap.rules.stream().filter(r -> Rule.byId(r).isEmpty()).toList();
            if (!unknown.isEmpty()) {
                out.add(meta(config, Rule.APPROVAL_UNKNOWN_RULE, ap, "Approval names unknown rule id "
                        + String.join(", ", unknown) + "."));
            } else if (!ap.used && reportUnused.getOrDefault(ap, Boolean.FALSE)) {
                out.add(meta(config, Rule.APPROVAL_UNUSED, ap, "Approval of " + String.join(", ", ap.rules)
                        + (ap.fingerprint != null ? " for fingerprint " + ap.fingerprint : "")
                        + " covers no finding."));
            }
        }
        out.removeIf(f -> f.severity() == Severity.OFF);
        List<Finding> sorted = new ArrayList<>(out);
        // stable: findings stay in file order; approval findings of a file follow its statements
        Map<String, Integer> order = new java.util.HashMap<>();
        for (int i = sources.size() - 1; i >= 0; i--) {
            order.put(sources.get(i).path(), i);
        }
        sorted.sort(Comparator.comparingInt((Finding f) -> order.getOrDefault(f.file(), sources.size())));
        return new Result(List.copyOf(sorted), sources.size(), statements);
    }

    private static Finding meta(GuardConfig config, Rule rule, Approval ap, String what) {
        return new Finding(ap.location, ap.line, ap.column, rule, config.severity(rule), what + " " + rule.advice(),
                false, List.of(), "", "");
    }

    private static boolean after(Token comment, Statement first) {
        return comment.line() > first.line() || (comment.line() == first.line() && comment.column() > first.column());
    }

    private static void resolve(RawFinding f, Source src, Map<Token, Approval> byComment, List<Approval> wholeFile,
            List<Approval> fileApprovals,
            Map<Approval, String> fileApprovalGroup, GuardConfig config, List<Finding> out) {
        Rule rule = f.rule();
        Severity severity = config.severity(rule);
        Statement st = f.statement();
        String fingerprint = st != null ? st.fingerprint() : Fingerprints.hash(rule.id() + " " + fileName(src.path()));
        String text = st != null ? st.text() : "";
        if (text.length() > MAX_STATEMENT_CHARS) {
            text = text.substring(0, MAX_STATEMENT_CHARS) + "...";
        }
        List<Approval> candidates = new ArrayList<>();
        if (st != null) {
            for (Statement s = st; s != null; s = s.parent) {
                for (Token c : s.leadingComments) {
                    Approval ap = byComment.get(c);
                    if (ap != null && !ap.wholeFile && ap.problem == null && ap.rules.contains(rule.id())) {
                        candidates.add(ap);
                    }
                }
            }
        }
        for (Approval ap : wholeFile) {
            if (ap.problem == null && ap.rules.contains(rule.id())) {
                candidates.add(ap);
            }
        }
        for (Approval ap : fileApprovals) {
            if (ap.problem == null && fingerprint.equals(ap.fingerprint) && ap.rules.contains(rule.id())
                    && src.group().equals(fileApprovalGroup.get(ap))) {
                candidates.add(ap);
            }
        }
        Set<String> counted = new LinkedHashSet<>();
        Set<String> refused = new LinkedHashSet<>();
        for (Approval ap : candidates) {
            ap.used = true;
            for (String who : ap.approvers) {
                if (config.allowedApprovers().isEmpty() || config.allowedApprovers().contains(who)) {
                    counted.add(who);
                } else {
                    refused.add(who);
                }
            }
        }
        int needed = rule.approvalsNeeded();
        boolean approved = needed > 0 && counted.size() >= needed;
        out.add(new Finding(f.file(), f.line(), f.column(), rule, severity, f.message(), approved,
                approved ? List.copyOf(counted) : List.of(), text, fingerprint));
        if (!candidates.isEmpty() && !approved) {
            String why = needed == 0
                    ? rule.id() + " cannot be approved"
                    : rule.id() + " needs " + needed + " distinct approver" + (needed > 1 ? "s" : "") + " ("
                    + (rule.category() == Rule.Category.DESTRUCTIVE ? "destructive: two-person rule" : "one person")
                    + "), but has " + counted.size() + (counted.isEmpty() ? "" : " (" + String.join(", ", counted) + ")")
                    + (refused.isEmpty() ? "" : "; not on the approvers list: " + String.join(", ", refused));
            Rule r = Rule.APPROVAL_INSUFFICIENT;
            out.add(new Finding(f.file(), f.line(), f.column(), r, config.severity(r),
                    "Approval is insufficient: " + why + ". " + r.advice(), false, List.of(), text, fingerprint));
        }
    }

    /** Editors on Windows may start UTF-8 files with a byte order mark; PostgreSQL's psql skips it too. */
    public static String withoutBom(String text) {
        return !text.isEmpty() && text.charAt(0) == '\uFEFF' ? text.substring(1) : text;
    }

    static String fileName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }
}
