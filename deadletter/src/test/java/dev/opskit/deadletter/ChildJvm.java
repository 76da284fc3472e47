package dev.opskit.deadletter;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the command line in a child JVM with the test classpath, as an operator would. */
final class ChildJvm {
    record Result(int exitCode, String out, String err) {
    }

    private ChildJvm() {
    }

    static Process start(Map<String, String> env, Path outFile, Path errFile, String... args) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Duser.timezone=America/Sao_Paulo");
        cmd.add("-cp");
        cmd.add(cp);
        cmd.add("dev.opskit.core.cli.Opskit"); // the launcher, as in opskit.jar
        cmd.add("deadletters");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(outFile.toFile()).redirectError(errFile.toFile());
        pb.environment().remove("DATABASE_URL");
        pb.environment().putAll(env);
        return pb.start();
    }

    static Result run(Map<String, String> env, String... args) throws Exception {
        File out = File.createTempFile("dlcli", ".out");
        File err = File.createTempFile("dlcli", ".err");
        Process p = null;
        try {
            p = start(env, out.toPath(), err.toPath(), args);
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                throw new AssertionError("the command line did not finish within 180 s: " + List.of(args));
            }
            return new Result(p.exitValue(), Files.readString(out.toPath(), StandardCharsets.UTF_8),
                    Files.readString(err.toPath(), StandardCharsets.UTF_8));
        } finally {
            if (p != null && p.isAlive()) {
                p.destroyForcibly(); // timed out, or this thread was interrupted while waiting
            }
            out.delete();
            err.delete();
        }
    }
}
