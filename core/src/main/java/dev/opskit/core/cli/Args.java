package dev.opskit.core.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The arguments of a {@link Command}, parsed the one way every opskit command reads them:
 * {@code --flag}, {@code --option VALUE} or {@code --option=VALUE}, anything else positional; an
 * unknown option or a missing value is a {@link UsageException} naming it.
 */
public final class Args {
    /** A wrong command line: the command prints the message and exits with {@link Command#USAGE}. */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** @param message what was wrong, naming the option and the value */
        public UsageException(String message) {
            super(message);
        }
    }

    /** The unit is required: a bare "7" meant as days must not be read as 7 seconds. */
    private static final Pattern AGE = Pattern.compile("(\\d{1,12})(ms|s|m|h|d)");

    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    private Args() {
    }

    /**
     * Parses {@code args}.
     *
     * @param flags options without a value ({@code --json})
     * @param valued options with a value ({@code --url})
     * @throws UsageException for an unknown option or an option without its value
     */
    public static Args parse(List<String> args, Set<String> flags, Set<String> valued) {
        Objects.requireNonNull(args, "args must not be null");
        Args a = new Args();
        for (int i = 0; i < args.size(); i++) {
            String s = Objects.requireNonNull(args.get(i), "an argument must not be null");
            int eq = s.indexOf('=');
            if (s.startsWith("--") && eq > 0 && valued.contains(s.substring(0, eq))) {
                a.values.put(s.substring(0, eq), s.substring(eq + 1));
            } else if (flags.contains(s)) {
                a.values.put(s, "true");
            } else if (valued.contains(s)) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(s + " needs a value");
                }
                a.values.put(s, args.get(++i));
            } else if (s.startsWith("-") && !s.matches("-\\d+")) {
                throw new UsageException("unknown option " + (eq > 0 ? s.substring(0, eq) : s));
            } else {
                a.positional.add(s);
            }
        }
        return a;
    }

    /** Whether the flag or option was given. */
    public boolean has(String option) {
        return values.containsKey(option);
    }

    /** The option's value, or {@code fallback} when it was not given. */
    public String value(String option, String fallback) {
        return values.getOrDefault(option, fallback);
    }

    /** The options and flags that were given, in order. */
    public Set<String> given() {
        return java.util.Collections.unmodifiableSet(values.keySet());
    }

    /** The positional arguments, in order. */
    public List<String> positional() {
        return List.copyOf(positional);
    }

    /** Whether {@code --help} or {@code -h} was given; a command that takes them lists both among its flags. */
    public boolean wantsHelp() {
        return values.keySet().stream().anyMatch(Args::isHelp);
    }

    /** Whether {@code arg} asks for a command's usage: {@code --help} or {@code -h}. */
    public static boolean isHelp(String arg) {
        return arg.equals("--help") || arg.equals("-h");
    }

    /**
     * The subcommand a command line names ({@code counts} in {@code opskit jobs counts}), checked
     * against the ones the command has, so that every command words a missing or wrong one alike.
     *
     * @param given the subcommand as given; null when none was
     * @param commands the subcommands, in the order the message lists them
     * @return {@code given}
     * @throws UsageException "no command given; one of a, b" or "unknown command 'x'; one of a, b"
     *     ("the one command is 'a'" instead of "one of" for a command with one subcommand)
     */
    public static String subcommand(@Nullable String given, List<String> commands) {
        if (given != null && commands.contains(given)) {
            return given;
        }
        String choice = commands.size() == 1 ? "the one command is '" + commands.get(0) + "'"
                : "one of " + String.join(", ", commands);
        throw new UsageException((given == null ? "no command given" : "unknown command '" + given + "'") + "; " + choice);
    }

    /**
     * A whole number of at least {@code min}.
     *
     * @throws UsageException naming the option and the text otherwise
     */
    public static long number(String option, String text, long min) {
        try {
            long n = Long.parseLong(text.trim());
            if (n < min) {
                throw new UsageException(option + " must be at least " + min + ", but was " + text);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new UsageException(option + " must be a whole number, but was '" + text + "'");
        }
    }

    /**
     * An age like {@code 30s}, {@code 15m}, {@code 12h}, {@code 7d} or {@code 500ms}; the unit is required.
     *
     * @throws UsageException naming the option and the text otherwise
     */
    public static Duration age(String option, String text) {
        Matcher m = AGE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageException(option + " must be an age like 30s, 15m, 12h or 7d, but was '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
