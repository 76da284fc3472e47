package dev.opskit.core.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.opskit.core.OpsKitException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvRequirementsTest {
    /** Secret values that must never appear, whole or in part, in any output. */
    static final String SHORT_SECRET = "Qz7xWv9Kp2";
    static final String GOOD_SECRET = "Hm4Rt8Ys1Lc6Nb3Vd5Fg0Jk2Pw7Xq9Za";

    private static final EnvRequirements SERVICE = EnvRequirements.builder()
            .variable("DATABASE_URL")
            .add(EnvRequirement.variable("LOG_LEVEL").oneOf("debug", "info", "warn").withDefault("info"))
            .add(EnvRequirement.variable("PORT").matching("[0-9]{1,5}").withDefault("8080"))
            .secret("JWT_SECRET", 32)
            .add(EnvRequirement.secret("STRIPE_SECRET_KEY", 20).onlyIn("prod", "staging"))
            .add(EnvRequirement.variable("SENTRY_DSN").optional().matching("https://.+"))
            .build();

    @Test
    void everyProblemIsReportedAtOnceInDeclarationOrder() {
        EnvSource source = EnvSource.of(Map.of(
                "APP_ENV", "prod",
                "LOG_LEVEL", "verbose",
                "PORT", "eighty",
                "JWT_SECRET", SHORT_SECRET,
                "STRIPE_SECRET_KEY", "",
                "SENTRY_DSN", "http://insecure"));

        EnvReport report = SERVICE.check(source);

        assertThat(report.ok()).isFalse();
        assertThat(report.environment()).contains("prod");
        assertThat(report.problems()).containsExactly(
                "DATABASE_URL is missing (variable)",
                "LOG_LEVEL is 'verbose', but must be one of debug, info, warn",
                "PORT does not match the pattern [0-9]{1,5} (value not shown, 6 characters)",
                "JWT_SECRET is too short: 10 characters, needs at least 32",
                "STRIPE_SECRET_KEY is set but empty (secret, at least 20 characters, only in prod, staging)",
                "SENTRY_DSN does not match the pattern https://.+ (value not shown, 15 characters)");
    }

    @Test
    void requireAllThrowsOneExceptionListingEveryProblem() {
        EnvSource source = EnvSource.of(Map.of("APP_ENV", "prod", "JWT_SECRET", SHORT_SECRET));

        EnvRequirementsException e = catchThrowableOfType(EnvRequirementsException.class, () -> SERVICE.requireAll(source));

        assertThat(e).isInstanceOf(OpsKitException.class);
        assertThat(e.getMessage()).isEqualTo("""
                environment requirements not met (3 problems, environment 'prod'):
                  - DATABASE_URL is missing (variable)
                  - JWT_SECRET is too short: 10 characters, needs at least 32
                  - STRIPE_SECRET_KEY is missing (secret, at least 20 characters, only in prod, staging)""");
        assertThat(e.report().problems()).hasSize(3);
    }

    @Test
    void whenEverythingHoldsRequireAllReturnsTheValuesToUse() {
        EnvSource source = EnvSource.of(Map.of(
                "APP_ENV", "prod",
                "DATABASE_URL", "jdbc:postgresql://db/app",
                "PORT", "",
                "JWT_SECRET", GOOD_SECRET,
                "STRIPE_SECRET_KEY", GOOD_SECRET));

        EnvReport report = SERVICE.requireAll(source);

        assertThat(report.ok()).isTrue();
        assertThat(report.problems()).isEmpty();
        assertThat(report.value("DATABASE_URL")).contains("jdbc:postgresql://db/app");
        assertThat(report.value("LOG_LEVEL")).as("default when not set").contains("info");
        assertThat(report.value("PORT")).as("default when empty").contains("8080");
        assertThat(report.value("SENTRY_DSN")).as("optional, not set").isEmpty();
        assertThatThrownBy(() -> report.value("JWT_SECRET"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JWT_SECRET is a secret");
        assertThatThrownBy(() -> report.value("UNDECLARED"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UNDECLARED is not a declared variable");
    }

    @Test
    void theReportIsReadable() {
        EnvSource source = EnvSource.of(Map.of(
                "APP_ENV", "dev",
                "DATABASE_URL", "jdbc:postgresql://db/app",
                "JWT_SECRET", GOOD_SECRET));

        assertThat(SERVICE.check(source).format()).isEqualTo("""
                Environment requirements, environment 'dev' (from APP_ENV):
                  ok       DATABASE_URL
                  ok       LOG_LEVEL = info (default)
                  ok       PORT = 8080 (default)
                  ok       JWT_SECRET (secret, 32 characters)
                  skipped  STRIPE_SECRET_KEY (only in prod, staging)
                  not set  SENTRY_DSN (optional)
                OK: all 6 requirements hold.
                """);
        assertThat(SERVICE.check(EnvSource.of(Map.of("APP_ENV", "dev"))).format())
                .contains("  PROBLEM  DATABASE_URL is missing (variable)\n")
                .endsWith("NOT OK: 2 problems.\n");
    }

    @Test
    void aSecretsValueNeverAppearsNotEvenInPart() {
        for (String secret : List.of(SHORT_SECRET, GOOD_SECRET)) {
            EnvSource source = EnvSource.of(Map.of("APP_ENV", "prod", "JWT_SECRET", secret, "STRIPE_SECRET_KEY", secret));
            EnvReport report = SERVICE.check(source);
            List<String> outputs = new java.util.ArrayList<>(List.of(report.format(), report.toString(),
                    String.join("\n", report.problems()), SERVICE.requirements().toString()));
            if (!report.ok()) {
                outputs.add(catchThrowableOfType(EnvRequirementsException.class, () -> SERVICE.requireAll(source)).getMessage());
            }
            for (String output : outputs) {
                assertNoPartOf(secret, output);
            }
        }
    }

    @Test
    void aWhitespaceOnlySecretIsAProblemWithoutShowingIt() {
        EnvRequirements r = EnvRequirements.builder().secret("TOKEN", 4).build();
        EnvReport report = r.check(EnvSource.of(Map.of("TOKEN", "        ")));
        assertThat(report.problems()).containsExactly(
                "TOKEN is only whitespace (8 characters); a secret of at least 4 characters is needed");
    }

    @Test
    void secretLengthCountsCharactersNotUtf16Units() {
        EnvRequirements r = EnvRequirements.builder().secret("KEY", 4).build();
        assertThat(r.check(EnvSource.of(Map.of("KEY", "🔑🔑🔑🔑"))).ok()).isTrue();
        assertThat(r.check(EnvSource.of(Map.of("KEY", "🔑🔑"))).problems())
                .containsExactly("KEY is too short: 2 characters, needs at least 4");
    }

    @Test
    void perEnvironmentRequirementsApplyOnlyThere() {
        EnvRequirements r = EnvRequirements.builder()
                .add(EnvRequirement.secret("STRIPE_SECRET_KEY", 20).onlyIn("prod", "staging"))
                .add(EnvRequirement.variable("DEBUG_TOKEN").onlyIn("dev"))
                .build();

        assertThat(r.check(EnvSource.of(Map.of("APP_ENV", "dev", "DEBUG_TOKEN", "x"))).ok()).isTrue();
        assertThat(r.check(EnvSource.of(Map.of("APP_ENV", "staging"))).problems())
                .containsExactly("STRIPE_SECRET_KEY is missing (secret, at least 20 characters, only in prod, staging)");
        assertThat(r.check(EnvSource.of(Map.of("APP_ENV", "PROD"))).problems()).as("case does not matter")
                .hasSize(1).first().asString().startsWith("STRIPE_SECRET_KEY");
        assertThat(r.check(EnvSource.of(Map.of("APP_ENV", "prod", "STRIPE_SECRET_KEY", GOOD_SECRET))).format())
                .contains("skipped  DEBUG_TOKEN (only in dev)");
        // a pipeline that knows its target environment says so, whatever APP_ENV holds
        assertThat(r.check(EnvSource.of(Map.of("APP_ENV", "dev", "DEBUG_TOKEN", "x")), "prod").problems()).hasSize(1);
        assertThat(r.check(EnvSource.of(Map.of()), "prod").format()).contains("environment 'prod' (given)");
    }

    @Test
    void anUnknownEnvironmentIsOneProblemWhenSomethingDependsOnIt() {
        EnvRequirements r = EnvRequirements.builder()
                .variable("DATABASE_URL")
                .add(EnvRequirement.secret("STRIPE_SECRET_KEY", 20).onlyIn("prod", "staging"))
                .build();

        EnvReport report = r.check(EnvSource.of(Map.of("DATABASE_URL", "x", "APP_ENV", "  ")));

        assertThat(report.environment()).isEmpty();
        assertThat(report.problems()).containsExactly("APP_ENV is not set, so it is unknown whether STRIPE_SECRET_KEY apply;"
                + " set it to the name of the environment (for example prod)");
        assertThat(report.format()).contains("environment unknown (APP_ENV not set)")
                .contains("skipped  STRIPE_SECRET_KEY (not checked, the environment is unknown; only in prod, staging)");
        // nothing depends on it: no problem
        assertThat(EnvRequirements.builder().variable("DATABASE_URL").build()
                .check(EnvSource.of(Map.of("DATABASE_URL", "x"))).ok()).isTrue();
    }

    @Test
    void theEnvironmentVariableAndADefaultEnvironmentCanBeChosen() {
        EnvRequirements r = EnvRequirements.builder()
                .environmentVariable("NODE_ENV")
                .defaultEnvironment("development")
                .add(EnvRequirement.secret("STRIPE_SECRET_KEY", 20).onlyIn("production"))
                .build();
        assertThat(r.environmentVariable()).isEqualTo("NODE_ENV");

        EnvReport fallback = r.check(EnvSource.of(Map.of("APP_ENV", "production")));
        assertThat(fallback.ok()).isTrue();
        assertThat(fallback.environment()).contains("development");
        assertThat(fallback.format()).contains("environment 'development' (NODE_ENV not set, default)");
        assertThat(r.check(EnvSource.of(Map.of("NODE_ENV", "production"))).ok()).isFalse();
    }

    @Test
    void optionalVariablesAreCheckedOnlyWhenSet() {
        EnvRequirements r = EnvRequirements.builder()
                .add(EnvRequirement.variable("SENTRY_DSN").optional().matching("https://.+"))
                .add(EnvRequirement.secret("WEBHOOK_SECRET", 16).optional())
                .build();
        assertThat(r.check(EnvSource.of(Map.of())).ok()).isTrue();
        assertThat(r.check(EnvSource.of(Map.of("SENTRY_DSN", "", "WEBHOOK_SECRET", ""))).ok()).isTrue();
        assertThat(r.check(EnvSource.of(Map.of("SENTRY_DSN", "ftp://x", "WEBHOOK_SECRET", "short"))).problems())
                .containsExactly("SENTRY_DSN does not match the pattern https://.+ (value not shown, 7 characters)",
                        "WEBHOOK_SECRET is too short: 5 characters, needs at least 16");
    }

    @Test
    void aLongDisallowedValueIsCut() {
        EnvRequirements r = EnvRequirements.builder().add(EnvRequirement.variable("MODE").oneOf("a", "b")).build();
        String problem = r.check(EnvSource.of(Map.of("MODE", "x".repeat(100)))).problems().get(0);
        assertThat(problem).isEqualTo("MODE is '" + "x".repeat(39) + "…', but must be one of a, b");
    }

    @Test
    void badDeclarationsAreRefusedAndNamed() {
        assertThatThrownBy(() -> EnvRequirement.variable("1ABC")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'1ABC'");
        assertThatThrownBy(() -> EnvRequirement.variable("A B")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'A B'");
        assertThatThrownBy(() -> EnvRequirement.secret("KEY", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("minLength of KEY must be at least 1, but was 0");
        assertThatThrownBy(() -> EnvRequirement.secret("KEY", 8).withDefault("changeme"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KEY is a secret and cannot have a default")
                .hasMessageNotContaining("changeme");
        assertThatThrownBy(() -> EnvRequirement.secret("KEY", 8).matching("x+"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KEY is a secret");
        assertThatThrownBy(() -> EnvRequirement.secret("KEY", 8).oneOf("a"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KEY is a secret");
        assertThatThrownBy(() -> EnvRequirement.variable("LEVEL").oneOf("a", "b").withDefault("c"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("default of LEVEL must be one of a, b, but was 'c'");
        assertThatThrownBy(() -> EnvRequirement.variable("LEVEL").withDefault("c").oneOf("a", "b"))
                .as("in either order").isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'c'");
        assertThatThrownBy(() -> EnvRequirement.variable("PORT").withDefault("http").matching("[0-9]+"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("default of PORT must match [0-9]+, but was 'http'");
        assertThatThrownBy(() -> EnvRequirement.variable("PORT").matching("[0-9"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pattern of PORT is not a valid regular expression");
        assertThatThrownBy(() -> EnvRequirement.variable("X").oneOf())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("oneOf of X");
        assertThatThrownBy(() -> EnvRequirement.variable("X").onlyIn())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("onlyIn of X");
        assertThatThrownBy(() -> EnvRequirement.variable("X").onlyIn("prod", "pre prod"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'pre prod'");
        assertThatThrownBy(() -> EnvRequirements.builder().variable("X").secret("X", 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("X is declared twice");
        assertThatThrownBy(() -> EnvRequirements.builder().environmentVariable("APP ENV"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'APP ENV'");
        assertThatThrownBy(() -> EnvRequirements.builder().defaultEnvironment(""))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("defaultEnvironment");
        assertThatThrownBy(() -> SERVICE.check(EnvSource.of(Map.of()), "no env"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'no env'");
        assertThatNullPointerException().isThrownBy(() -> SERVICE.check(null)).withMessageContaining("source");
        assertThatNullPointerException().isThrownBy(() -> EnvRequirement.variable(null)).withMessageContaining("name");
        assertThatNullPointerException().isThrownBy(() -> EnvSource.of(null)).withMessageContaining("values");
    }

    @Test
    void sourcesReadMapsSystemPropertiesAndTheProcessEnvironment() {
        Map<String, String> map = new HashMap<>(Map.of("A", "1"));
        EnvSource copy = EnvSource.of(map);
        map.put("A", "2");
        assertThat(copy.get("A")).as("copied when created").isEqualTo("1");
        assertThat(copy.get("B")).isNull();

        String property = "opskit.test." + System.nanoTime();
        System.setProperty(property, "from-property");
        try {
            assertThat(EnvSource.systemProperties().get(property)).isEqualTo("from-property");
        } finally {
            System.clearProperty(property);
        }
        System.getenv().forEach((k, v) -> assertThat(EnvSource.environment().get(k)).isEqualTo(v));
        assertThat(EnvSource.environment().get("OPSKIT_SURELY_NOT_SET_" + System.nanoTime())).isNull();
    }

    /** Fails when any four consecutive characters of {@code secret} occur in {@code output}. */
    static void assertNoPartOf(String secret, String output) {
        for (int i = 0; i + 4 <= secret.length(); i++) {
            assertThat(output).as("output must not contain any part of the secret").doesNotContain(secret.substring(i, i + 4));
        }
    }
}
