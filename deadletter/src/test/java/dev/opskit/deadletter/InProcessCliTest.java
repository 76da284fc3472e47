package dev.opskit.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opskit.deadletter.cli.DeadLetterCli;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Argument handling of the command line that needs no database (the process tests cover the rest). */
class InProcessCliTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String... args) {
        return DeadLetterCli.run(args, env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpPrintsTheUsageAndExitsWithZero() {
        assertThat(run(Map.of(), "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("replay --all").contains("purge --older-than AGE");
    }

    @Test
    void noDatabaseIsAUsageError() {
        assertThat(run(Map.of(), "list")).isEqualTo(2);
        assertThat(err()).contains("set DATABASE_URL or pass --url");
    }

    @Test
    void anUnknownOptionIsAUsageErrorNamingIt() {
        assertThat(run(Map.of("DATABASE_URL", "jdbc:postgresql://localhost:1/x"), "list", "--colour")).isEqualTo(2);
        assertThat(err()).contains("unknown option --colour");
    }

    @Test
    void anOptionWithoutItsValueIsAUsageError() {
        assertThat(run(Map.of(), "purge", "--older-than")).isEqualTo(2);
        assertThat(err()).contains("--older-than needs a value");
    }

    @Test
    void aBadSchemaNameIsAUsageError() {
        assertThat(run(Map.of("DATABASE_URL", "jdbc:postgresql://localhost:1/x"), "--schema", "Robert'); DROP", "stats"))
                .isEqualTo(2);
        assertThat(err()).contains("schema must be a lower-case identifier");
    }
}
