package dev.opskit.spring.boot;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** Turns a library's argument error into one that names the property and the value at fault. */
final class Props {
    private Props() {
    }

    /**
     * Runs {@code apply} (a builder call taking the property's value) and rethrows its
     * {@link IllegalArgumentException} as {@link InvalidOpskitPropertyException}.
     */
    static <T> T apply(String property, @Nullable Object value, Supplier<T> apply) {
        try {
            return apply.get();
        } catch (IllegalArgumentException e) {
            throw new InvalidOpskitPropertyException(property, value, e);
        }
    }

    /** Like {@link #apply} for a call without a result. */
    static void run(String property, @Nullable Object value, Runnable apply) {
        apply(property, value, () -> {
            apply.run();
            return Boolean.TRUE;
        });
    }
}
