package dev.opskit.console.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The page, its style sheet and its script, read from the jar once. Nothing is loaded from the network. */
final class StaticFiles {
    record File(String contentType, byte[] body) {
    }

    private final Map<String, File> files;

    /** @param basePath written into the page, so its links and API calls work wherever it is mounted */
    StaticFiles(String basePath) {
        String page = read("index.html").replace("{{base}}", escapeHtml(basePath));
        files = Map.of(
                "", new File("text/html; charset=utf-8", page.getBytes(StandardCharsets.UTF_8)),
                "/console.css", new File("text/css; charset=utf-8", read("console.css").getBytes(StandardCharsets.UTF_8)),
                "/console.js", new File("text/javascript; charset=utf-8", read("console.js").getBytes(StandardCharsets.UTF_8)));
    }

    /** The file at {@code path} (relative to the base path: {@code ""} is the page), or null. */
    @Nullable File get(String path) {
        return files.get(path.equals("/") ? "" : path);
    }

    static Iterable<String> paths() {
        return java.util.List.of("", "/console.css", "/console.js");
    }

    private static String read(String name) {
        String resource = "/dev/opskit/console/ui/" + name;
        try (InputStream in = StaticFiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the console's resource " + resource + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the console's resource " + resource, e);
        }
    }

    private static String escapeHtml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
