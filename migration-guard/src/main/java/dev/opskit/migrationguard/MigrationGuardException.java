package dev.opskit.migrationguard;

import dev.opskit.core.OpsKitException;

/** Thrown for bad configuration, unreadable migration files and other problems that stop a check from running. */
public class MigrationGuardException extends OpsKitException {
    private static final long serialVersionUID = 1L;

    public MigrationGuardException(String message) {
        super(message);
    }

    public MigrationGuardException(String message, Throwable cause) {
        super(message, cause);
    }
}
