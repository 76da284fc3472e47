package dev.opskit.core.env;

import dev.opskit.core.OpsKitException;
import java.util.Objects;

/**
 * Thrown by {@link EnvRequirements#requireAll(EnvSource)} when at least one requirement does not
 * hold. The message lists every problem, one per line; it never contains a secret's value.
 */
public final class EnvRequirementsException extends OpsKitException {
    private static final long serialVersionUID = 1L;

    private final transient EnvReport report;

    EnvRequirementsException(EnvReport report) {
        super(message(Objects.requireNonNull(report, "report must not be null")));
        this.report = report;
    }

    /** The full report, including the requirements that hold. */
    public EnvReport report() {
        return report;
    }

    private static String message(EnvReport report) {
        int n = report.problems().size();
        StringBuilder sb = new StringBuilder("environment requirements not met (").append(n)
                .append(n == 1 ? " problem" : " problems")
                .append(report.environment().map(e -> ", environment '" + e + "'").orElse(""))
                .append("):");
        for (String p : report.problems()) {
            sb.append("\n  - ").append(p);
        }
        return sb.toString();
    }
}
