package dev.opskit.breaker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** {@link SwitchSource#file(Path)}: parses the file again only when it changed. */
final class FileSwitchSource implements SwitchSource {
    private final Path path;
    private volatile Snapshot snapshot = new Snapshot(-1, -1, Map.of());

    private record Snapshot(long modified, long size, Map<String, String> values) {
    }

    FileSwitchSource(Path path) {
        this.path = path;
    }

    @Override
    public @Nullable String get(String key) {
        return current().values().get(key);
    }

    private Snapshot current() {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return snapshot = new Snapshot(-1, -1, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read circuit switches from " + path, e);
        }
        Snapshot s = snapshot;
        long modified = attributes.lastModifiedTime().toMillis();
        if (s.modified() == modified && s.size() == attributes.size()) {
            return s;
        }
        try {
            return snapshot = new Snapshot(modified, attributes.size(), parse(Files.readString(path, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException e) {
            return snapshot = new Snapshot(-1, -1, Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read circuit switches from " + path, e);
        }
    }

    static Map<String, String> parse(String text) {
        Map<String, String> values = new HashMap<>();
        for (String raw : text.split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("export ")) {
                line = line.substring("export ".length()).strip();
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String value = line.substring(eq + 1).strip();
            if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
                value = value.substring(1, value.length() - 1);
            }
            values.put(line.substring(0, eq).strip(), value);
        }
        return Map.copyOf(values);
    }

    @Override
    public String toString() {
        return "SwitchSource.file(" + path + ")";
    }
}
