package dev.opskit.spring.boot;

import dev.opskit.migrationguard.GuardConfig;
import dev.opskit.migrationguard.flyway.MigrationGuardCallback;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The migration guard as a Flyway {@code Callback} bean, which Boot's Flyway auto-configuration
 * adds to its {@code Flyway}: before {@code migrate}, the pending SQL migrations are checked and
 * the migration (and so the application start) is refused with the findings when one blocks
 * (a destructive change without two approvers). Only when Flyway is on the class path.
 */
@AutoConfiguration(before = FlywayAutoConfiguration.class)
@ConditionalOnClass({Flyway.class, MigrationGuardCallback.class})
@ConditionalOnProperty(prefix = "opskit.migration-guard", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(OpskitProperties.class)
public class OpskitFlywayAutoConfiguration {

    /** With {@code opskit.migration-guard.config-file} when set, else the guard's defaults (assuming Flyway's transaction per migration). */
    @Bean
    @ConditionalOnMissingBean(MigrationGuardCallback.class)
    public MigrationGuardCallback opskitMigrationGuardCallback(OpskitProperties properties) {
        String file = properties.getMigrationGuard().getConfigFile();
        if (file == null || file.isBlank()) {
            return new MigrationGuardCallback();
        }
        GuardConfig config = Props.apply("opskit.migration-guard.config-file", file, () -> GuardConfig.load(Path.of(file)));
        return new MigrationGuardCallback(config);
    }
}
