package dev.opskit.core.env;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Parses the requirements file format: one variable per line, {@code #} comment lines, blank
 * lines ignored, and two optional directives.
 *
 * <pre>
 * &#64;environment-variable APP_ENV
 * &#64;default-environment dev
 * DATABASE_URL required
 * LOG_LEVEL one-of=debug,info,warn default=info
 * JWT_SECRET secret min=32
 * STRIPE_SECRET_KEY secret min=20 env=prod,staging
 * SENTRY_DSN optional pattern=https://.+
 * </pre>
 */
final class RequirementsFile {
    private RequirementsFile() {
    }

    static EnvRequirements parse(String text, String origin) {
        EnvRequirements.Builder builder = EnvRequirements.builder();
        Set<String> names = new HashSet<>();
        Set<String> directives = new HashSet<>();
        // a Windows editor may start the file with a byte order mark; it would end up in the first name
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        String[] lines = body.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = origin + ", line " + (i + 1) + ": ";
            try {
                String[] tokens = line.split("\\s+");
                if (tokens[0].startsWith("@")) {
                    directive(builder, tokens, directives);
                } else {
                    EnvRequirement r = requirement(tokens);
                    if (!names.add(r.name())) {
                        throw new IllegalArgumentException(r.name() + " is declared twice");
                    }
                    builder.add(r);
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + e.getMessage(), e);
            }
        }
        return builder.build();
    }

    private static void directive(EnvRequirements.Builder builder, String[] tokens, Set<String> seen) {
        String directive = tokens[0];
        if (tokens.length != 2) {
            throw new IllegalArgumentException(directive + " takes exactly one value, for example '@environment-variable APP_ENV'");
        }
        if (!seen.add(directive)) {
            throw new IllegalArgumentException(directive + " is given twice");
        }
        switch (directive) {
            case "@environment-variable" -> builder.environmentVariable(tokens[1]);
            case "@default-environment" -> builder.defaultEnvironment(tokens[1]);
            default -> throw new IllegalArgumentException("unknown directive '" + directive
                    + "' (known: @environment-variable, @default-environment)");
        }
    }

    private static EnvRequirement requirement(String[] tokens) {
        String name = EnvRequirement.requireName(tokens[0]);
        Map<String, String> options = new LinkedHashMap<>();
        for (int t = 1; t < tokens.length; t++) {
            String token = tokens[t];
            int eq = token.indexOf('=');
            String key = eq < 0 ? token : token.substring(0, eq + 1);
            String value = eq < 0 ? "" : token.substring(eq + 1);
            switch (key) {
                case "required", "optional", "secret", "min=", "env=", "one-of=", "pattern=", "default=" -> {
                    // known
                }
                default -> throw new IllegalArgumentException("unknown option '" + token + "' for " + name
                        + " (known: required, optional, secret, min=, env=, one-of=, pattern=, default=)");
            }
            if (eq >= 0 && value.isEmpty()) {
                throw new IllegalArgumentException("option " + key + " of " + name + " needs a value");
            }
            if (options.put(key, value) != null) {
                throw new IllegalArgumentException("option " + key + " of " + name + " is given twice");
            }
        }
        if (options.containsKey("required") && options.containsKey("optional")) {
            throw new IllegalArgumentException(name + " cannot be both required and optional");
        }
        boolean secret = options.containsKey("secret");
        EnvRequirement r;
        if (secret) {
            r = EnvRequirement.secret(name, options.containsKey("min=") ? minLength(name, options.get("min=")) : 1);
        } else if (options.containsKey("min=")) {
            throw new IllegalArgumentException("min= of " + name + " applies only to secrets; add 'secret'");
        } else {
            r = EnvRequirement.variable(name);
        }
        if (options.containsKey("optional")) {
            r = r.optional();
        }
        if (options.containsKey("env=")) {
            r = r.onlyIn(list(name, "env=", options.get("env=")));
        }
        if (options.containsKey("one-of=")) {
            r = r.oneOf(list(name, "one-of=", options.get("one-of=")));
        }
        if (options.containsKey("pattern=")) {
            r = r.matching(options.get("pattern="));
        }
        if (options.containsKey("default=")) {
            r = r.withDefault(options.get("default="));
        }
        return r;
    }

    private static int minLength(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("min= of " + name + " must be a whole number, but was '" + value + "'", e);
        }
    }

    private static String[] list(String name, String key, String value) {
        String[] parts = value.split(",", -1);
        for (String p : parts) {
            if (p.isEmpty()) {
                throw new IllegalArgumentException(key + " of " + name + " has an empty entry in '" + value + "'");
            }
        }
        return parts;
    }
}
