package dev.opskit.migrationguard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The rule corpus in {@code rule-cases.sql}: cases of SQL where one rule must (or must not) fire. */
final class Corpus {
    record Case(String rule, boolean fail, boolean assumeInTransaction, String sql, int line) {
        @Override
        public String toString() {
            return rule + " " + (fail ? "fail" : "pass") + " (rule-cases.sql:" + line + ")";
        }
    }

    private Corpus() {
    }

    static String resource(String name) {
        try (InputStream in = Corpus.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        String[] lines = resource("rule-cases.sql").split("\n", -1);
        String header = null;
        int headerLine = 0;
        StringBuilder body = new StringBuilder();
        for (int i = 0; i <= lines.length; i++) {
            String l = i < lines.length ? lines[i] : "-- case: end";
            if (l.startsWith("-- case:")) {
                if (header != null) {
                    String[] h = header.substring("-- case:".length()).trim().split("\\s+");
                    boolean assume = h.length > 2 && h[2].equals("assume-in-transaction");
                    out.add(new Case(h[0], h[1].equals("fail"), assume, body.toString(), headerLine));
                }
                header = l;
                headerLine = i + 1;
                body.setLength(0);
            } else if (header != null) {
                body.append(l).append('\n');
            }
        }
        return out;
    }
}
