package dev.opskit.core.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequirementsFileTest {

    @Test
    void theExampleFileDeclaresWhatItSays() throws Exception {
        EnvRequirements r = EnvRequirements.load(Path.of("src/test/resources/env/example.requirements"));

        assertThat(r.environmentVariable()).isEqualTo("APP_ENV");
        assertThat(r.requirements()).extracting(EnvRequirement::name).containsExactly(
                "DATABASE_URL", "LOG_LEVEL", "OPSKIT_HTTP_PORT", "JWT_SECRET", "STRIPE_SECRET_KEY", "SENTRY_DSN");
        EnvRequirement stripe = r.requirements().get(4);
        assertThat(stripe.isSecret()).isTrue();
        assertThat(stripe.minLength()).isEqualTo(20);
        assertThat(stripe.environments()).containsExactly("prod", "staging");
        EnvRequirement logLevel = r.requirements().get(1);
        assertThat(logLevel.allowedValues()).containsExactly("debug", "info", "warn", "error");
        assertThat(logLevel.defaultValue()).contains("info");
        assertThat(r.requirements().get(5).isOptional()).isTrue();
        assertThat(r.requirements().get(2).pattern()).hasValueSatisfying(p -> assertThat(p.pattern()).isEqualTo("[0-9]{1,5}"));
    }

    @Test
    void aByteOrderMarkIsIgnored() {
        EnvRequirements r = EnvRequirements.parse("\uFEFFDATABASE_URL required\r\nJWT_SECRET secret min=8\r\n", "bom");

        assertThat(r.requirements()).extracting(EnvRequirement::name).containsExactly("DATABASE_URL", "JWT_SECRET");
    }

    @Test
    void commentsBlankLinesWindowsLineEndingsAndDirectivesAreUnderstood() {
        EnvRequirements r = EnvRequirements.parse(
                "# comment\r\n\r\n@environment-variable NODE_ENV\r\n@default-environment development\r\n"
                        + "  TOKEN   secret  min=8  env=production  \r\nNAME required\r\n", "inline");

        assertThat(r.environmentVariable()).isEqualTo("NODE_ENV");
        assertThat(r.check(EnvSource.of(Map.of("NAME", "x"))).ok()).as("development by default").isTrue();
        assertThat(r.check(EnvSource.of(Map.of("NAME", "x", "NODE_ENV", "production"))).problems())
                .containsExactly("TOKEN is missing (secret, at least 8 characters, only in production)");
    }

    @Test
    void aSecretWithoutMinNeedsOnlyToBeSet() {
        EnvRequirements r = EnvRequirements.parse("AWS_SECRET_ACCESS_KEY secret", "inline");
        assertThat(r.requirements().get(0).minLength()).isEqualTo(1);
        assertThat(r.check(EnvSource.of(Map.of("AWS_SECRET_ACCESS_KEY", "k"))).ok()).isTrue();
    }

    @Test
    void anEmptyFileRequiresNothing() {
        assertThat(EnvRequirements.parse("# nothing yet\n", "empty").requirements()).isEmpty();
    }

    @Test
    void invalidLinesAreRefusedNamingFileAndLine() {
        assertInvalid("A required\nB minimum=3", "f, line 2: unknown option 'minimum=3' for B");
        assertInvalid("B min=3", "f, line 1: min= of B applies only to secrets");
        assertInvalid("B secret default=changeme", "f, line 1: B is a secret and cannot have a default");
        assertInvalid("B secret pattern=x+", "f, line 1: B is a secret and cannot have a pattern");
        assertInvalid("B secret min=many", "f, line 1: min= of B must be a whole number, but was 'many'");
        assertInvalid("B secret min=0", "f, line 1: minLength of B must be at least 1, but was 0");
        assertInvalid("B\n\n# x\nB optional", "f, line 4: B is declared twice");
        assertInvalid("B required optional", "f, line 1: B cannot be both required and optional");
        assertInvalid("B env=prod,,dev", "f, line 1: env= of B has an empty entry in 'prod,,dev'");
        assertInvalid("B env=", "f, line 1: option env= of B needs a value");
        assertInvalid("B secret secret", "f, line 1: option secret of B is given twice");
        assertInvalid("B pattern=[0-9", "f, line 1: pattern of B is not a valid regular expression");
        assertInvalid("B one-of=a,b default=c", "f, line 1: default of B must be one of a, b, but was 'c'");
        assertInvalid("9B required", "f, line 1: variable name must match");
        assertInvalid("@environment APP_ENV", "f, line 1: unknown directive '@environment'");
        assertInvalid("@environment-variable", "f, line 1: @environment-variable takes exactly one value");
        assertInvalid("@default-environment a\n@default-environment b", "f, line 2: @default-environment is given twice");
    }

    @Test
    void anUnreadableFileIsAnIoError(@TempDir Path dir) {
        assertThatThrownBy(() -> EnvRequirements.load(dir.resolve("missing.requirements")))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void loadReadsUtf8(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("r.requirements");
        Files.writeString(file, "# Größe\nREGION one-of=eu-central-1,eu-west-1 default=eu-central-1\n");
        assertThat(EnvRequirements.load(file).check(EnvSource.of(Map.of())).value("REGION")).contains("eu-central-1");
    }

    private static void assertInvalid(String text, String message) {
        assertThatThrownBy(() -> EnvRequirements.parse(text, "f"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }
}
