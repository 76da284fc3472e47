package dev.opskit.core.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SchemaModuleTest {
    private static final ClassLoader LOADER = SchemaModuleTest.class.getClassLoader();

    @Test
    void scriptsAreSortedByVersionNumberNotByText() {
        List<String> names = new ArrayList<>();
        for (int v = 1; v <= 12; v++) {
            names.add("db/V" + v + "__step_" + v + ".sql");
        }
        List<String> shuffled = new ArrayList<>(names);
        Collections.shuffle(shuffled, new Random(1));

        SchemaModule module = new SchemaModule("steps", LOADER, shuffled);

        assertThat(module.resources()).containsExactlyElementsOf(names);
        assertThat(module.latestVersion()).isEqualTo(12);
        assertThat(SchemaModule.descriptionOf("db/V3__add_index_on_jobs.sql")).isEqualTo("add index on jobs");
    }

    @Test
    void ofPutsTheScriptsBesideTheAnchorsPackage() {
        SchemaModule module = SchemaModule.of("widgets", SchemaModuleTest.class, "V1__create_widgets.sql");
        assertThat(module.resources()).containsExactly("dev/opskit/core/schema/V1__create_widgets.sql");
        assertThat(module.loader()).isSameAs(LOADER);
    }

    @Test
    void resourcesAreCopied() {
        List<String> names = new ArrayList<>(List.of("V1__a.sql"));
        SchemaModule module = new SchemaModule("copy", LOADER, names);
        names.add("V2__b.sql");
        assertThat(module.resources()).containsExactly("V1__a.sql");
        assertThatThrownBy(() -> module.resources().add("V2__b.sql")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aGapInTheVersionsIsRefused() {
        assertThatThrownBy(() -> new SchemaModule("gappy", LOADER, List.of("V1__a.sql", "V3__c.sql")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("module 'gappy'").hasMessageContaining("without gaps")
                .hasMessageContaining("expected version 2 but found V3__c.sql");
        assertThatThrownBy(() -> new SchemaModule("late", LOADER, List.of("V2__b.sql")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected version 1 but found V2__b.sql");
        assertThatThrownBy(() -> new SchemaModule("zero", LOADER, List.of("V0__a.sql", "V1__b.sql")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected version 1 but found V0__a.sql");
    }

    @Test
    void twoScriptsForOneVersionAreRefused() {
        assertThatThrownBy(() -> new SchemaModule("twice", LOADER, List.of("V1__a.sql", "V2__b.sql", "V2__c.sql")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("two scripts for version 2").hasMessageContaining("V2__b.sql").hasMessageContaining("V2__c.sql");
    }

    @Test
    void badScriptNamesAreRefusedAndNamed() {
        for (String bad : List.of("create.sql", "V1_a.sql", "v1__a.sql", "V1__a.SQL", "V1__.sql", "V__a.sql",
                "V1__a b.sql", "V1__a.sql.bak", "")) {
            assertThatThrownBy(() -> new SchemaModule("m", LOADER, List.of(bad)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'").hasMessageContaining("V<version>__<description>.sql");
        }
        assertThatThrownBy(() -> new SchemaModule("m", LOADER, List.of("V99999999999__huge.sql")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("V99999999999__huge.sql")
                .hasMessageContaining("too large");
    }

    @Test
    void badModuleNamesAndMissingPartsAreRefused() {
        for (String bad : List.of("", "JobQueue", "1queue", "job queue", "job.queue", "a".repeat(64))) {
            assertThatThrownBy(() -> new SchemaModule(bad, LOADER, List.of("V1__a.sql")))
                    .as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("module name").hasMessageContaining("'" + bad + "'");
        }
        assertThat(new SchemaModule("migration-guard", LOADER, List.of("V1__a.sql")).name()).isEqualTo("migration-guard");
        assertThatThrownBy(() -> new SchemaModule("empty", LOADER, List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'empty' must have at least one script");
        assertThatNullPointerException().isThrownBy(() -> new SchemaModule(null, LOADER, List.of("V1__a.sql"))).withMessageContaining("name");
        assertThatNullPointerException().isThrownBy(() -> new SchemaModule("m", null, List.of("V1__a.sql"))).withMessageContaining("loader");
        assertThatNullPointerException().isThrownBy(() -> new SchemaModule("m", LOADER, null)).withMessageContaining("resources");
        assertThatNullPointerException().isThrownBy(() -> new SchemaModule("m", LOADER, Arrays.asList("V1__a.sql", null)))
                .withMessageContaining("resources must not contain null");
        assertThatNullPointerException().isThrownBy(() -> SchemaModule.of("m", null, "V1__a.sql")).withMessageContaining("anchor");
    }
}
