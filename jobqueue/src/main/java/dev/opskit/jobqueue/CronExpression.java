package dev.opskit.jobqueue;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A cron expression in a time zone, as {@link Schedule#cron} takes it. Five fields
 * ({@code minute hour day-of-month month day-of-week}) or six with seconds first; the macros
 * {@code @yearly @annually @monthly @weekly @daily @midnight @hourly}; in each field {@code *},
 * values, ranges {@code a-b}, steps <code>*&#47;n</code>, {@code a-b/n} and {@code a/n} (from a to the
 * field's maximum), lists with commas, and names in months ({@code JAN}..{@code DEC}) and days of
 * the week ({@code SUN}..{@code SAT}, 0 and 7 both Sunday), case-insensitive.
 *
 * <p>Day of month and day of week combine as in Vixie cron: when both are restricted (neither
 * starts with {@code *}) a day matches if either matches; otherwise both must (so one that starts
 * with {@code *} has no say).
 *
 * <p>Time zones: a local time that does not exist (spring forward) is skipped. A local time that
 * exists twice (fall back) fires once, at its first occurrence, unless the hour field starts with
 * {@code *}: such an expression (every N minutes or seconds) keeps its rhythm through the repeated
 * hour, as cronie does, because each of its fires is a distinct instant rather than "the 02:30 run".
 *
 * <p>Immutable and thread-safe; {@link #next(Instant)} allocates little and takes microseconds.
 */
final class CronExpression {
    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
    private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
    private static final int[] MAX_DAYS = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    /** How far {@link #next} looks: Feb 29 on a given weekday can be 28 years away; nothing valid is further. */
    private static final int SEARCH_YEARS = 400;

    private final String expression;
    private final ZoneId zone;
    private final long seconds;   // bit s set: second s matches
    private final long minutes;
    private final long hours;
    private final long daysOfMonth; // bits 1..31
    private final long months;      // bits 1..12
    private final long daysOfWeek;  // bits 0..6, 0 = Sunday
    private final boolean domStar;
    private final boolean dowStar;
    private final boolean hourStar;

    private CronExpression(String expression, ZoneId zone, long[] bits, boolean domStar, boolean dowStar, boolean hourStar) {
        this.expression = expression;
        this.zone = zone;
        this.seconds = bits[0];
        this.minutes = bits[1];
        this.hours = bits[2];
        this.daysOfMonth = bits[3];
        this.months = bits[4];
        this.daysOfWeek = bits[5];
        this.domStar = domStar;
        this.dowStar = dowStar;
        this.hourStar = hourStar;
    }

    /**
     * Parses {@code expression}.
     *
     * @throws IllegalArgumentException naming the expression, the field (1-based, as written) and the
     *         character position (1-based) of what is wrong
     */
    static CronExpression parse(String expression, ZoneId zone) {
        Objects.requireNonNull(expression, "cron expression must not be null");
        Objects.requireNonNull(zone, "zone must not be null");
        String text = expression.strip();
        if (text.startsWith("@")) {
            String expanded = MACROS.get(text.toLowerCase(Locale.ROOT));
            if (expanded == null) {
                throw new IllegalArgumentException("cron expression \"" + expression + "\": unknown macro '" + text
                        + "' at character 1; one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly");
            }
            return parseFields(expression, expanded, zone, true);
        }
        return parseFields(expression, expression, zone, false);
    }

    private static CronExpression parseFields(String original, String text, ZoneId zone, boolean macro) {
        // split on blanks, remembering where each field starts for the error messages
        java.util.List<String> fields = new java.util.ArrayList<>();
        java.util.List<Integer> starts = new java.util.ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < text.length() && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i > start) {
                fields.add(text.substring(start, i));
                starts.add(start);
            }
        }
        if (fields.size() != 5 && fields.size() != 6) {
            throw new IllegalArgumentException("cron expression \"" + original + "\": expected 5 fields (minute hour day-of-month"
                    + " month day-of-week) or 6 (with seconds first), but found " + fields.size());
        }
        boolean withSeconds = fields.size() == 6;
        String[] names = {"second", "minute", "hour", "day of month", "month", "day of week"};
        int[] min = {0, 0, 0, 1, 1, 0};
        int[] max = {59, 59, 23, 31, 12, 7};
        long[] bits = new long[6];
        bits[0] = 1L; // second 0 when there is no seconds field
        int offset = withSeconds ? 0 : 1;
        for (int f = 0; f < fields.size(); f++) {
            int kind = f + offset;
            Field field = new Field(original, macro ? 0 : starts.get(f), f + 1, names[kind], fields.get(f), min[kind], max[kind],
                    kind == 4 ? MONTHS : kind == 5 ? DAYS : null, kind == 4 ? 1 : 0);
            bits[kind] = field.parse();
        }
        if ((bits[5] & (1L << 7)) != 0) { // 7 is Sunday too
            bits[5] = (bits[5] & ~(1L << 7)) | 1L;
        }
        String domField = fields.get(3 - offset);
        String dowField = fields.get(5 - offset);
        String hourField = fields.get(2 - offset);
        boolean domStar = domField.startsWith("*");
        boolean dowStar = dowField.startsWith("*");
        if (dowStar && !domStar) {
            requireReachableDay(original, bits[3], bits[4], starts.get(3 - offset) + 1, 4 - offset, macro);
        }
        return new CronExpression(original, zone, bits, domStar, dowStar, hourField.startsWith("*"));
    }

    /** "0 0 30 2 *" never fires: say so now rather than schedule nothing, silently, forever. */
    private static void requireReachableDay(String original, long doms, long months, int position, int fieldNumber, boolean macro) {
        int firstDay = Long.numberOfTrailingZeros(doms);
        for (int m = 1; m <= 12; m++) {
            if ((months & (1L << m)) != 0 && firstDay <= MAX_DAYS[m - 1]) {
                return;
            }
        }
        throw new IllegalArgumentException("cron expression \"" + original + "\": field " + fieldNumber + " (day of month) at character "
                + (macro ? 1 : position) + ": no month of the expression has day " + firstDay + ", so it would never fire");
    }

    /** One field being parsed; positions in messages are 1-based characters of the whole expression. */
    private record Field(String expression, int start, int number, String name, String text, int min, int max,
                         String @Nullable [] names, int nameBase) {
        long parse() {
            long bits = 0;
            int pos = 0;
            for (String part : text.split(",", -1)) {
                bits |= part(part, pos);
                pos += part.length() + 1;
            }
            return bits;
        }

        private long part(String part, int pos) {
            if (part.isEmpty()) {
                throw fail(pos, "empty list element");
            }
            int slash = part.indexOf('/');
            String range = slash < 0 ? part : part.substring(0, slash);
            int lo;
            int hi;
            if (range.equals("*")) {
                lo = min;
                hi = max == 7 ? 6 : max;
            } else {
                int dash = range.indexOf('-');
                if (dash < 0) {
                    lo = value(range, pos);
                    hi = slash < 0 ? lo : (max == 7 ? 6 : max);
                } else {
                    lo = value(range.substring(0, dash), pos);
                    hi = value(range.substring(dash + 1), pos + dash + 1);
                    if (hi < lo) {
                        throw fail(pos, "range " + range + " goes backwards (" + lo + " > " + hi + ")");
                    }
                }
            }
            int step = 1;
            if (slash >= 0) {
                String s = part.substring(slash + 1);
                int at = pos + slash + 1;
                if (s.isEmpty() || !s.chars().allMatch(Character::isDigit) || s.length() > 3) {
                    throw fail(at, "step '" + s + "' is not a positive number");
                }
                step = Integer.parseInt(s);
                if (step < 1 || step > max) {
                    throw fail(at, "step " + step + " must be between 1 and " + max);
                }
            }
            long bits = 0;
            for (int v = lo; v <= hi; v += step) {
                bits |= 1L << v;
            }
            return bits;
        }

        private int value(String s, int pos) {
            if (s.isEmpty()) {
                throw fail(pos, "missing value");
            }
            int v;
            if (s.chars().allMatch(Character::isDigit)) {
                if (s.length() > 2) {
                    throw fail(pos, "value " + s + " is out of range " + min + "-" + max);
                }
                v = Integer.parseInt(s);
            } else {
                v = -1;
                if (names != null) {
                    for (int n = 0; n < names.length; n++) {
                        if (names[n].equalsIgnoreCase(s)) {
                            v = n + nameBase;
                        }
                    }
                }
                if (v < 0) {
                    throw fail(pos, "unknown value '" + s + "'" + (names == null ? ", expected a number " + min + "-" + max
                            : ", expected " + min + "-" + max + " or one of " + String.join(" ", names)));
                }
            }
            if (v < min || v > max) {
                throw fail(pos, "value " + v + " is out of range " + min + "-" + max);
            }
            return v;
        }

        private IllegalArgumentException fail(int pos, String what) {
            return new IllegalArgumentException("cron expression \"" + expression + "\": field " + number + " (" + name
                    + ") at character " + (start + pos + 1) + ": " + what);
        }
    }

    /** The expression as written. */
    String expression() {
        return expression;
    }

    ZoneId zone() {
        return zone;
    }

    /**
     * The first fire time strictly after {@code after}, or null when there is none within 400 years
     * (cannot happen for an expression {@link #parse} accepted, but the caller need not trust that).
     */
    @Nullable Instant next(Instant after) {
        ZoneRules rules = zone.getRules();
        // Walk the time line in spans of one UTC offset: within a span local time and instants map one
        // to one, so gaps never appear and each pass of a repeated hour is its own span.
        Instant spanStart = Instant.ofEpochSecond(after.getEpochSecond() + 1);
        long endSecond = after.getEpochSecond() + SEARCH_YEARS * 366L * 86_400L;
        while (spanStart.getEpochSecond() <= endSecond) {
            ZoneOffset offset = rules.getOffset(spanStart);
            LocalDateTime from = LocalDateTime.ofEpochSecond(spanStart.getEpochSecond(), 0, offset);
            ZoneOffsetTransition nextTransition = rules.nextTransition(spanStart);
            LocalDateTime limit = nextTransition == null ? LocalDateTime.ofEpochSecond(endSecond, 0, offset)
                    : nextTransition.getDateTimeBefore();
            if (!hourStar) {
                // the second pass of a repeated hour: its local times fired in the first pass
                ZoneOffsetTransition previous = rules.previousTransition(spanStart.plusNanos(1));
                if (previous != null && previous.isOverlap() && from.isBefore(previous.getDateTimeBefore())) {
                    from = previous.getDateTimeBefore();
                }
            }
            LocalDateTime match = from.isBefore(limit) ? nextLocal(from, limit) : null;
            if (match != null) {
                return match.toInstant(offset);
            }
            if (nextTransition == null) {
                return null;
            }
            spanStart = nextTransition.getInstant();
        }
        return null;
    }

    /** The first matching local time in [from, limit), or null. */
    private @Nullable LocalDateTime nextLocal(LocalDateTime from, LocalDateTime limit) {
        LocalDateTime t = from;
        while (t.isBefore(limit)) {
            if ((months & (1L << t.getMonthValue())) == 0) {
                t = t.toLocalDate().withDayOfMonth(1).plusMonths(1).atStartOfDay();
                continue;
            }
            if (!dayMatches(t.toLocalDate())) {
                t = t.toLocalDate().plusDays(1).atStartOfDay();
                continue;
            }
            int h = nextBit(hours, t.getHour());
            if (h < 0 || h > 23) {
                t = t.toLocalDate().plusDays(1).atStartOfDay();
                continue;
            }
            if (h != t.getHour()) {
                t = t.withHour(h).withMinute(0).withSecond(0);
            }
            int m = nextBit(minutes, t.getMinute());
            if (m < 0 || m > 59) {
                t = t.withMinute(0).withSecond(0).plusHours(1);
                continue;
            }
            if (m != t.getMinute()) {
                t = t.withMinute(m).withSecond(0);
            }
            int s = nextBit(seconds, t.getSecond());
            if (s < 0 || s > 59) {
                t = t.withSecond(0).plusMinutes(1);
                continue;
            }
            t = t.withSecond(s).withNano(0);
            return t.isBefore(limit) ? t : null;
        }
        return null;
    }

    private boolean dayMatches(LocalDate d) {
        boolean dom = (daysOfMonth & (1L << d.getDayOfMonth())) != 0;
        int dowIndex = d.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : d.getDayOfWeek().getValue();
        boolean dow = (daysOfWeek & (1L << dowIndex)) != 0;
        if (!domStar && !dowStar) {
            return dom || dow;
        }
        return dom && dow;
    }

    /** The lowest set bit at or above {@code from}, or -1. */
    private static int nextBit(long bits, int from) {
        long rest = bits & (-1L << from);
        return rest == 0 ? -1 : Long.numberOfTrailingZeros(rest);
    }

    @Override
    public String toString() {
        return expression + " " + zone.getId();
    }
}
