package dev.opskit.migrationguard.internal;

import dev.opskit.migrationguard.Rule;
import org.jspecify.annotations.Nullable;

/** A finding before approvals and severities are applied. {@code statement} is null for findings about approvals. */
public record RawFinding(Rule rule, String file, int line, int column, String message, @Nullable Statement statement) {
}
