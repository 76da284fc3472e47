package dev.opskit.jobqueue;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Starts a main class of the test class path as a JVM of its own: a second worker that a test can kill with SIGKILL. */
final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * Starts {@code main} with {@code args} in a JVM of at most 128 MB of heap. A daemon thread named
     * {@code pump-<id>} hands each line of its output (stderr merged) to {@code onLine}, then prints
     * it prefixed with {@code [id]}, until the child is gone.
     */
    static Process start(String id, Class<?> main, Consumer<String> onLine, String... args) throws IOException {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> command = new ArrayList<>(List.of(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Thread pump = new Thread(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    onLine.accept(line);
                    System.out.println("[" + id + "] " + line);
                }
            } catch (Exception ignored) {
                // the child is gone
            }
        }, "pump-" + id);
        pump.setDaemon(true);
        pump.start();
        return p;
    }
}
