package dev.opskit.migrationguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule has failing and passing examples in rule-cases.sql; each case is checked here. */
class RuleCorpusTest {

    static Stream<Corpus.Case> cases() {
        return Corpus.cases().stream();
    }

    static Report check(Corpus.Case c) {
        GuardConfig config = GuardConfig.custom().assumeInTransaction(c.assumeInTransaction()).build();
        return MigrationGuard.create(config).checkSql("case.sql", c.sql());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void ruleFiresOnFailingExamplesAndNotOnPassingOnes(Corpus.Case c) {
        Report report = check(c);
        Set<String> unapproved = report.findings().stream().filter(f -> !f.approved())
                .map(f -> f.rule().id()).collect(Collectors.toSet());
        if (c.rule().equals("none")) {
            assertThat(report.findings()).as("findings of a clean case\n%s", report.format(OutputFormat.TEXT)).isEmpty();
        } else if (c.fail()) {
            assertThat(unapproved).as("%s\n%s", c, report.format(OutputFormat.TEXT)).contains(c.rule());
        } else {
            assertThat(unapproved).as("%s\n%s", c, report.format(OutputFormat.TEXT)).doesNotContain(c.rule());
        }
    }

    @Test
    void corpusHasAFailingAndAPassingExampleForEveryRule() {
        List<Corpus.Case> cases = Corpus.cases();
        // syntax-error needs invalid SQL and rollback-script-missing needs files: LexerTest and MigrationFilesTest cover them
        Set<Rule> elsewhere = EnumSet.of(Rule.SYNTAX_ERROR, Rule.ROLLBACK_SCRIPT_MISSING,
                Rule.TRACE_ACCESS_EXCLUSIVE, Rule.TRACE_TABLE_REWRITE); // the trace rules need a database: MigrationTraceTest
        for (Rule r : Rule.values()) {
            if (elsewhere.contains(r)) {
                continue;
            }
            assertThat(cases).as("failing example for %s", r.id()).anyMatch(c -> c.rule().equals(r.id()) && c.fail());
            assertThat(cases).as("passing example for %s", r.id()).anyMatch(c -> c.rule().equals(r.id()) && !c.fail());
        }
        assertThat(cases).allMatch(c -> c.rule().equals("none") || Rule.byId(c.rule()).isPresent(), "case names a known rule");
    }

    @Test
    void thereAreAtLeast45RulesAndTheFixedIdsExist() {
        assertThat(Rule.values().length).isGreaterThanOrEqualTo(45);
        List<String> fixed = List.of("drop-table", "drop-column", "drop-schema", "drop-database", "truncate",
                "delete-without-where", "update-without-where", "drop-sequence", "rename-table", "rename-column",
                "alter-column-type", "set-not-null", "add-column-volatile-default", "create-index-non-concurrently",
                "drop-index-non-concurrently", "concurrently-in-transaction", "add-foreign-key-validated",
                "add-check-constraint-validated", "add-unique-constraint", "add-primary-key", "add-exclusion-constraint",
                "validate-in-same-transaction", "vacuum-full", "cluster", "reindex-non-concurrently",
                "detach-partition-non-concurrently", "transaction-nesting", "require-lock-timeout", "alter-enum-value",
                "unparsed-statement", "prefer-bigint", "prefer-text", "prefer-timestamptz", "ban-char", "prefer-identity",
                "drop-not-null", "require-statement-timeout", "identifier-too-long");
        for (String id : fixed) {
            assertThat(Rule.byId(id)).as(id).isPresent();
        }
        for (String id : fixed.subList(0, 8)) {
            Rule r = Rule.byId(id).orElseThrow();
            assertThat(r.defaultSeverity()).as(id).isEqualTo(Severity.BLOCKING);
            assertThat(r.approvalsNeeded()).as(id).isEqualTo(2);
        }
        for (String id : fixed.subList(8, 30)) {
            Rule r = Rule.byId(id).orElseThrow();
            assertThat(r.defaultSeverity()).as(id).isEqualTo(Severity.BLOCKING);
            assertThat(r.approvalsNeeded()).as(id).isEqualTo(1);
        }
        for (String id : fixed.subList(30, fixed.size())) {
            assertThat(Rule.byId(id).orElseThrow().defaultSeverity()).as(id).isEqualTo(Severity.WARNING);
        }
        for (Rule r : Rule.values()) {
            assertThat(r.advice()).as(r.id()).startsWith("Instead:");
            assertThat(r.id()).matches("[a-z]+(-[a-z]+)*");
        }
    }
}
