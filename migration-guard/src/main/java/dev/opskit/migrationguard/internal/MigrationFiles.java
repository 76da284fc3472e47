package dev.opskit.migrationguard.internal;

import dev.opskit.migrationguard.GuardConfig;
import dev.opskit.migrationguard.MigrationGuardException;
import dev.opskit.migrationguard.Rule;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds migration files and orders them the way Flyway does: versioned {@code V<version>__<name>.sql}
 * by version (numeric parts, {@code 1.10} after {@code 1.9}), then repeatable {@code R__<name>.sql}
 * by name, then any other {@code .sql} by path. Undo scripts {@code U<version>__*.sql} and
 * {@code *.down.sql} are rollback scripts: skipped unless configured, and directories named
 * {@code rollback} or {@code down} are not walked.
 */
public final class MigrationFiles {
    private static final Pattern VERSIONED = Pattern.compile("(?i)^V([0-9][0-9._]*)__.*\\.sql$");
    private static final Pattern UNDO = Pattern.compile("(?i)^U([0-9][0-9._]*)__.*\\.sql$");
    private static final Pattern REPEATABLE = Pattern.compile("(?i)^R__.*\\.sql$");
    private static final Set<String> ROLLBACK_DIRS = Set.of("rollback", "down", "undo");

    private MigrationFiles() {
    }

    /** What to check: sources in order, and approvals files. */
    public record Plan(List<Engine.Source> sources, List<Engine.ApprovalsSource> approvals) {
    }

    public static Plan plan(List<Path> paths, GuardConfig config) {
        List<Path> files = new ArrayList<>();
        Map<Path, Boolean> approvalDirs = new LinkedHashMap<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                List<Path> found = walk(p, config);
                files.addAll(found);
                for (Path f : found) {
                    approvalDirs.put(parent(f), Boolean.TRUE);
                }
                approvalDirs.put(p, Boolean.TRUE);
            } else if (Files.isRegularFile(p)) {
                if (config.excluded(p.normalize())) {
                    continue;
                }
                files.add(p);
                approvalDirs.putIfAbsent(parent(p), Boolean.FALSE);
            } else {
                throw new MigrationGuardException("no such file or directory: " + p);
            }
        }
        List<Engine.Source> sources = new ArrayList<>();
        for (Path f : files) {
            List<RawFinding> extra = new ArrayList<>();
            String text = read(f, extra);
            if (config.requireRollbackScripts()) {
                checkRollback(f, extra);
            }
            sources.add(new Engine.Source(f.toString(), text, group(parent(f)), extra));
        }
        List<Engine.ApprovalsSource> approvals = new ArrayList<>();
        for (Map.Entry<Path, Boolean> e : approvalDirs.entrySet()) {
            Path af = e.getKey().resolve(config.approvalsFile());
            if (Files.isRegularFile(af)) {
                approvals.add(new Engine.ApprovalsSource(af.toString(), read(af, new ArrayList<>()), group(e.getKey()), e.getValue()));
            }
        }
        return new Plan(sources, approvals);
    }

    private static Path parent(Path f) {
        Path p = f.toAbsolutePath().normalize().getParent();
        return p == null ? f.toAbsolutePath() : p;
    }

    private static String group(Path dir) {
        return dir.toAbsolutePath().normalize().toString();
    }

    private static List<Path> walk(Path dir, GuardConfig config) {
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".sql"))
                    .filter(p -> !inRollbackDir(dir, p))
                    .filter(p -> !config.excluded(dir.relativize(p)))
                    .filter(p -> config.checkUndoScripts() || !isRollbackScript(p.getFileName().toString()))
                    .toList();
        } catch (IOException | RuntimeException e) {
            throw new MigrationGuardException("cannot list migrations in " + dir + ": " + e.getMessage(), e);
        }
        record Keyed(Path path, int kind, String version, String rel) {
        }
        List<Keyed> keyed = new ArrayList<>(all.size());
        for (Path p : all) {
            String name = p.getFileName().toString();
            keyed.add(new Keyed(p, kind(name), version(name), dir.relativize(p).toString()));
        }
        keyed.sort(Comparator.comparingInt(Keyed::kind)
                .thenComparing((a, b) -> compareVersions(a.version(), b.version()))
                .thenComparing(Keyed::rel));
        List<Path> sorted = new ArrayList<>(keyed.size());
        keyed.forEach(k -> sorted.add(k.path()));
        return sorted;
    }

    private static boolean inRollbackDir(Path root, Path p) {
        Path rel = root.relativize(p);
        for (int i = 0; i < rel.getNameCount() - 1; i++) {
            if (ROLLBACK_DIRS.contains(rel.getName(i).toString().toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    static boolean isRollbackScript(String name) {
        return UNDO.matcher(name).matches() || name.toLowerCase(Locale.ROOT).endsWith(".down.sql");
    }

    private static int kind(String name) {
        if (VERSIONED.matcher(name).matches() || UNDO.matcher(name).matches()) {
            return 0;
        }
        if (REPEATABLE.matcher(name).matches()) {
            return 1;
        }
        return 2;
    }

    static String version(String name) {
        Matcher m = VERSIONED.matcher(name);
        if (m.matches()) {
            return m.group(1);
        }
        m = UNDO.matcher(name);
        return m.matches() ? m.group(1) : "";
    }

    static int compareVersions(String a, String b) {
        List<String> pa = versionParts(a);
        List<String> pb = versionParts(b);
        for (int i = 0; i < Math.max(pa.size(), pb.size()); i++) {
            String x = i < pa.size() ? pa.get(i) : "0";
            String y = i < pb.size() ? pb.get(i) : "0";
            int c = x.length() < 19 && y.length() < 19
                    ? Long.compare(Long.parseLong(x), Long.parseLong(y))
                    : new BigInteger(x).compareTo(new BigInteger(y));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** "1_2.10" -> [1, 2, 10]; separators are '.' and '_'. */
    private static List<String> versionParts(String v) {
        List<String> parts = new ArrayList<>(4);
        int start = 0;
        for (int i = 0; i <= v.length(); i++) {
            if (i == v.length() || v.charAt(i) == '.' || v.charAt(i) == '_') {
                if (i > start) {
                    parts.add(v.substring(start, i));
                }
                start = i + 1;
            }
        }
        return parts;
    }

    /** Reads UTF-8; invalid bytes become U+FFFD and a syntax-error finding at their position. */
    static String read(Path f, List<RawFinding> extra) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (IOException | RuntimeException e) {
            throw new MigrationGuardException("cannot read " + f + ": " + e.getMessage(), e);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            String text = new String(bytes, StandardCharsets.UTF_8);
            int bad = text.indexOf('\uFFFD');
            int line = 1;
            int col = 1;
            for (int i = 0; i < Math.max(0, bad); i++) {
                if (text.charAt(i) == '\n') {
                    line++;
                    col = 1;
                } else {
                    col++;
                }
            }
            extra.add(new RawFinding(Rule.SYNTAX_ERROR, f.toString(), line, col,
                    "Syntax error: the file is not valid UTF-8 (first bad byte at line " + line + ", column " + col
                            + "). Instead: save the migration as UTF-8.", null));
            return text;
        }
    }

    private static void checkRollback(Path f, List<RawFinding> extra) {
        String name = f.getFileName().toString();
        String version = version(name);
        if (version.isEmpty() || UNDO.matcher(name).matches()) {
            return;
        }
        Path dir = parent(f);
        String base = name.substring(0, name.length() - 4);
        boolean found = Files.isRegularFile(dir.resolve(base + ".down.sql"));
        for (String d : ROLLBACK_DIRS) {
            found |= Files.isRegularFile(dir.resolve(d).resolve(name));
        }
        if (!found) {
            try (Stream<Path> s = Files.list(dir)) {
                found = s.map(p -> p.getFileName().toString())
                        .anyMatch(n -> UNDO.matcher(n).matches() && compareVersions(version(n), version) == 0);
            } catch (IOException e) {
                throw new MigrationGuardException("cannot list " + dir + ": " + e.getMessage(), e);
            }
        }
        if (!found) {
            extra.add(new RawFinding(Rule.ROLLBACK_SCRIPT_MISSING, f.toString(), 1, 1, "Migration " + name
                    + " has no rollback script (U" + version + "__*.sql, " + base + ".down.sql or rollback/" + name + "). "
                    + Rule.ROLLBACK_SCRIPT_MISSING.advice(), null));
        }
    }
}
