package dev.opskit.core.schema;

import dev.opskit.core.OpsKitException;

/**
 * The database holds a newer schema version of a module than this library knows: an older
 * application version was started against a database that a newer one already upgraded.
 */
public final class SchemaVersionException extends OpsKitException {
    private static final long serialVersionUID = 1L;

    SchemaVersionException(String message) {
        super(message);
    }
}
