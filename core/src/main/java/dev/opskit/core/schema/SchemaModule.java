package dev.opskit.core.schema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The versioned SQL scripts of one opskit module, as classpath resources.
 *
 * <p>Scripts are named {@code V<version>__<description>.sql} (Flyway's convention) and contain
 * unqualified table names: the installer runs them with {@code search_path} set to the target
 * schema. Applications that run Flyway or Liquibase themselves can copy the same resources into
 * their own migrations; {@link #resources()} lists them in order.
 *
 * @param name the module's name, recorded in {@code opskit_schema_version.module}; for example {@code jobqueue}
 * @param loader the class loader that holds the resources
 * @param resources resource paths in any order; they are sorted by version
 */
public record SchemaModule(String name, ClassLoader loader, List<String> resources) {
    private static final Pattern SCRIPT = Pattern.compile("(?:.*/)?V(\\d+)__([A-Za-z0-9_]+)\\.sql");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,62}");

    public SchemaModule {
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(loader, "loader must not be null");
        Objects.requireNonNull(resources, "resources must not be null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("module name must match " + NAME.pattern() + ", but was '" + name + "'");
        }
        if (resources.isEmpty()) {
            throw new IllegalArgumentException("module '" + name + "' must have at least one script");
        }
        List<String> sorted = new ArrayList<>(resources);
        for (String resource : sorted) {
            Objects.requireNonNull(resource, () -> "module '" + name + "' resources must not contain null");
        }
        sorted.sort(Comparator.comparingInt(SchemaModule::versionOf));
        for (int i = 0; i < sorted.size(); i++) {
            int expected = i + 1;
            int version = versionOf(sorted.get(i));
            if (i > 0 && version == versionOf(sorted.get(i - 1))) {
                throw new IllegalArgumentException("module '" + name + "' has two scripts for version " + version
                        + ": " + sorted.get(i - 1) + " and " + sorted.get(i));
            }
            if (version != expected) {
                throw new IllegalArgumentException("module '" + name + "' scripts must be numbered 1, 2, 3... without gaps;"
                        + " expected version " + expected + " but found " + sorted.get(i));
            }
        }
        resources = List.copyOf(sorted);
    }

    /** Convenience: the scripts of a module whose resources sit beside {@code anchor}'s package. */
    public static SchemaModule of(String name, Class<?> anchor, String... scriptNames) {
        Objects.requireNonNull(anchor, "anchor must not be null");
        Objects.requireNonNull(scriptNames, "scriptNames must not be null");
        String base = anchor.getPackageName().replace('.', '/') + "/";
        List<String> paths = new ArrayList<>();
        for (String s : scriptNames) {
            paths.add(base + s);
        }
        return new SchemaModule(name, anchor.getClassLoader(), paths);
    }

    /** The newest version this module knows. */
    public int latestVersion() {
        return resources.size();
    }

    static int versionOf(String resource) {
        Matcher m = SCRIPT.matcher(resource);
        if (!m.matches()) {
            throw new IllegalArgumentException("schema script '" + resource + "' must be named V<version>__<description>.sql");
        }
        try {
            return Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("schema script '" + resource + "' has a version number too large for an int", e);
        }
    }

    static String descriptionOf(String resource) {
        Matcher m = SCRIPT.matcher(resource);
        if (!m.matches()) {
            throw new IllegalArgumentException("schema script '" + resource + "' must be named V<version>__<description>.sql");
        }
        return m.group(2).replace('_', ' ');
    }
}
