package dev.opskit.jobqueue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CronExpressionTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    /** The next {@code n} fire times after {@code from}, as UTC instants. */
    private static List<String> fires(String expression, ZoneId zone, String from, int n) {
        CronExpression cron = CronExpression.parse(expression, zone);
        List<String> out = new ArrayList<>();
        Instant t = Instant.parse(from);
        for (int i = 0; i < n; i++) {
            t = cron.next(t);
            out.add(String.valueOf(t));
        }
        return out;
    }

    private static String next(String expression, String from) {
        return fires(expression, ZoneOffset.UTC, from, 1).get(0);
    }

    @Test
    void aDailyTimeInAZoneFiresAtThatLocalTime() {
        assertThat(fires("0 3 * * *", BERLIN, "2026-01-10T12:00:00Z", 2))
                .containsExactly("2026-01-11T02:00:00Z", "2026-01-12T02:00:00Z");   // 03:00 CET
        assertThat(fires("0 3 * * *", BERLIN, "2026-07-10T12:00:00Z", 1))
                .containsExactly("2026-07-11T01:00:00Z");                          // 03:00 CEST
    }

    @Test
    void theNextFireIsStrictlyAfterTheGivenInstant() {
        assertThat(next("* * * * *", "2026-01-01T10:01:00Z")).isEqualTo("2026-01-01T10:02:00Z");
        assertThat(next("* * * * *", "2026-01-01T10:00:59.999Z")).isEqualTo("2026-01-01T10:01:00Z");
        assertThat(next("* * * * * *", "2026-01-01T10:00:00.000000001Z")).isEqualTo("2026-01-01T10:00:01Z");
    }

    @Test
    void sixFieldsHaveSecondsFirst() {
        assertThat(fires("*/15 * * * * *", ZoneOffset.UTC, "2026-01-01T10:00:07Z", 4))
                .containsExactly("2026-01-01T10:00:15Z", "2026-01-01T10:00:30Z", "2026-01-01T10:00:45Z", "2026-01-01T10:01:00Z");
        assertThat(next("30 0 12 * * *", "2026-01-01T00:00:00Z")).isEqualTo("2026-01-01T12:00:30Z");
    }

    @ParameterizedTest
    @CsvSource({
            "@yearly,   2027-01-01T00:00:00Z",
            "@annually, 2027-01-01T00:00:00Z",
            "@monthly,  2026-06-01T00:00:00Z",
            "@weekly,   2026-05-17T00:00:00Z",   // the Sunday after Wednesday 2026-05-13
            "@daily,    2026-05-14T00:00:00Z",
            "@midnight, 2026-05-14T00:00:00Z",
            "@hourly,   2026-05-13T11:00:00Z",
            "@DAILY,    2026-05-14T00:00:00Z",
    })
    void macros(String macro, String expected) {
        assertThat(next(macro, "2026-05-13T10:20:00Z")).isEqualTo(expected);
    }

    @Test
    void rangesWithStepsAndNamedWeekdays() {
        // weekdays at 9, 11, 13, 15, 17; 2026-01-02 is a Friday
        assertThat(fires("0 9-17/2 * * MON-FRI", ZoneOffset.UTC, "2026-01-02T16:00:00Z", 3))
                .containsExactly("2026-01-02T17:00:00Z", "2026-01-05T09:00:00Z", "2026-01-05T11:00:00Z");
    }

    @Test
    void listsAndMonthNamesCaseInsensitive() {
        assertThat(fires("0 12 1,15 JAN,jul *", ZoneOffset.UTC, "2026-01-20T00:00:00Z", 3))
                .containsExactly("2026-07-01T12:00:00Z", "2026-07-15T12:00:00Z", "2027-01-01T12:00:00Z");
    }

    @Test
    void sundayIsZeroAndSevenAndSun() {
        String from = "2026-01-01T00:00:00Z"; // a Thursday
        assertThat(next("0 0 * * 0", from)).isEqualTo("2026-01-04T00:00:00Z");
        assertThat(next("0 0 * * 7", from)).isEqualTo("2026-01-04T00:00:00Z");
        assertThat(next("0 0 * * sun", from)).isEqualTo("2026-01-04T00:00:00Z");
        assertThat(fires("0 0 * * 5-7", ZoneOffset.UTC, from, 3))
                .containsExactly("2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z");
    }

    @Test
    void aStartWithAStepRunsToTheEndOfTheField() {
        assertThat(fires("5/20 * * * *", ZoneOffset.UTC, "2026-01-01T00:00:00Z", 4))
                .containsExactly("2026-01-01T00:05:00Z", "2026-01-01T00:25:00Z", "2026-01-01T00:45:00Z", "2026-01-01T01:05:00Z");
    }

    @Test
    void february29FiresInLeapYearsOnly() {
        assertThat(fires("0 0 29 2 *", ZoneOffset.UTC, "2026-03-01T00:00:00Z", 3))
                .containsExactly("2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z");
        // 2100 is not a leap year
        assertThat(next("0 0 29 2 *", "2096-03-01T00:00:00Z")).isEqualTo("2104-02-29T00:00:00Z");
    }

    @Test
    void the31stSkipsShorterMonths() {
        assertThat(fires("0 0 31 * *", ZoneOffset.UTC, "2026-04-01T00:00:00Z", 3))
                .containsExactly("2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z");
        assertThat(next("0 0 31 1-3 *", "2026-02-01T00:00:00Z")).isEqualTo("2026-03-31T00:00:00Z");
    }

    @Test
    void dayOfMonthAndDayOfWeekBothRestrictedMatchEither() {
        // the 15th, and every Friday; 2026-02-01 is a Sunday
        assertThat(fires("0 0 15 * FRI", ZoneOffset.UTC, "2026-02-01T00:00:00Z", 5)).containsExactly(
                "2026-02-06T00:00:00Z", "2026-02-13T00:00:00Z", "2026-02-15T00:00:00Z", "2026-02-20T00:00:00Z",
                "2026-02-27T00:00:00Z");
        // every Monday of February, and February 29
        assertThat(fires("0 0 29 2 MON", ZoneOffset.UTC, "2028-02-20T00:00:00Z", 3))
                .containsExactly("2028-02-21T00:00:00Z", "2028-02-28T00:00:00Z", "2028-02-29T00:00:00Z");
    }

    @Test
    void aDayFieldStartingWithAStarHasNoSaySoBothMustMatch() {
        // Vixie: "*/10" in day of month counts as "*": Mondays that are the 1st, 11th, 21st or 31st
        assertThat(fires("0 0 */10 * MON", ZoneOffset.UTC, "2026-01-01T00:00:00Z", 2))
                .containsExactly("2026-05-11T00:00:00Z", "2026-06-01T00:00:00Z");
        // "*/2" in day of week: the 15th when it is a Sunday, Tuesday, Thursday or Saturday
        assertThat(fires("0 0 15 * */2", ZoneOffset.UTC, "2026-01-01T00:00:00Z", 3))
                .containsExactly("2026-01-15T00:00:00Z", "2026-02-15T00:00:00Z", "2026-03-15T00:00:00Z");
        assertThat(next("0 0 15 * */2", "2026-03-16T00:00:00Z")).as("2026-04-15 is a Wednesday").isNotEqualTo("2026-04-15T00:00:00Z");
        // only one restricted: that one decides
        assertThat(next("0 0 * * MON", "2026-01-01T00:00:00Z")).isEqualTo("2026-01-05T00:00:00Z");
        assertThat(next("0 0 20 * *", "2026-01-01T00:00:00Z")).isEqualTo("2026-01-20T00:00:00Z");
    }

    @Test
    void yearEndRollsOver() {
        assertThat(next("0 0 1 1 *", "2026-12-31T23:59:59Z")).isEqualTo("2027-01-01T00:00:00Z");
        assertThat(next("59 23 31 12 *", "2026-12-31T23:59:00Z")).isEqualTo("2027-12-31T23:59:00Z");
    }

    // ------------------------------------------------------------ daylight saving

    @Test
    void aLocalTimeThatDoesNotExistIsSkipped() {
        // Berlin 2026-03-29: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist that day
        assertThat(fires("30 2 * * *", BERLIN, "2026-03-28T12:00:00Z", 2))
                .containsExactly("2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z");
        // New York 2026-03-08: 02:00 EST jumps to 03:00 EDT
        assertThat(next2("0 2 * * *", NEW_YORK, "2026-03-07T12:00:00Z")).isEqualTo("2026-03-09T06:00:00Z");
    }

    @Test
    void theHourAfterTheGapIsNotAffected() {
        assertThat(fires("0 3 * * *", BERLIN, "2026-03-28T12:00:00Z", 1)).containsExactly("2026-03-29T01:00:00Z"); // 03:00 CEST
        assertThat(fires("0 1 * * *", BERLIN, "2026-03-28T12:00:00Z", 1)).containsExactly("2026-03-29T00:00:00Z"); // 01:00 CET
    }

    @Test
    void aLocalTimeThatExistsTwiceFiresOnceAtItsFirstOccurrence() {
        // Berlin 2026-10-25: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice
        assertThat(fires("30 2 * * *", BERLIN, "2026-10-24T12:00:00Z", 2))
                .containsExactly("2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z");
        // evaluated from inside the second pass: the 02:45 of that day already fired in the first
        assertThat(fires("45 2 * * *", BERLIN, "2026-10-25T01:10:00Z", 1)).containsExactly("2026-10-26T01:45:00Z");
        // every minute of the 2 o'clock hour: 60 fires in the first pass, none in the repeat
        assertThat(fires("* 2 * * *", BERLIN, "2026-10-25T00:58:30Z", 2))
                .containsExactly("2026-10-25T00:59:00Z", "2026-10-26T01:00:00Z");
    }

    @Test
    void anExpressionWithAnyHourKeepsItsRhythmThroughTheRepeatedHour() {
        assertThat(fires("*/30 * * * *", BERLIN, "2026-10-25T00:00:00Z", 4)).containsExactly(
                "2026-10-25T00:30:00Z", // 02:30 CEST
                "2026-10-25T01:00:00Z", // 02:00 CET
                "2026-10-25T01:30:00Z", // 02:30 CET
                "2026-10-25T02:00:00Z"); // 03:00 CET
        assertThat(fires("0 * * * *", BERLIN, "2026-10-24T23:30:00Z", 3))
                .containsExactly("2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z");
    }

    @Test
    void anExpressionWithAnyHourSimplyHasNoFiresInTheGap() {
        assertThat(fires("*/30 * * * *", BERLIN, "2026-03-29T00:15:00Z", 3))
                .containsExactly("2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z", "2026-03-29T01:30:00Z"); // 01:30 CET, 03:00 CEST, 03:30 CEST
    }

    @Test
    void aYearOfDailyFiresInAZoneWithDaylightSavingHasOneFirePerDay() {
        CronExpression cron = CronExpression.parse("30 2 * * *", BERLIN);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        int n = 0;
        java.util.Set<java.time.LocalDate> days = new java.util.HashSet<>();
        while ((t = cron.next(t)).isBefore(Instant.parse("2027-01-01T00:00:00Z"))) {
            n++;
            days.add(t.atZone(BERLIN).toLocalDate());
            assertThat(t.atZone(BERLIN).toLocalTime()).hasToString("02:30");
        }
        assertThat(n).as("365 days minus the spring-forward day").isEqualTo(364);
        assertThat(days).hasSize(364);
    }

    private static String next2(String expression, ZoneId zone, String from) {
        return fires(expression, zone, from, 1).get(0);
    }

    // ------------------------------------------------------------ errors

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "0 3 * *            | expected 5 fields",
            "0 3 * * * * *      | but found 7",
            "61 * * * *         | field 1 (minute) at character 1: value 61 is out of range 0-59",
            "0 25 * * *         | field 2 (hour) at character 3: value 25 is out of range 0-23",
            "0 0 0 * *          | field 3 (day of month) at character 5: value 0 is out of range 1-31",
            "0 0 * FOO *        | field 4 (month) at character 7: unknown value 'FOO'",
            "0 0 * * FUNDAY     | field 5 (day of week) at character 9: unknown value 'FUNDAY'",
            "0 0 * * 8          | field 5 (day of week) at character 9: value 8 is out of range 0-7",
            "*/0 * * * *        | field 1 (minute) at character 3: step 0 must be between 1 and 59",
            "*/x * * * *        | field 1 (minute) at character 3: step 'x' is not a positive number",
            "5-1 * * * *        | field 1 (minute) at character 1: range 5-1 goes backwards",
            "1,,2 * * * *       | field 1 (minute) at character 3: empty list element",
            "0 1-x * * *        | field 2 (hour) at character 5: unknown value 'x'",
            "0 0 30 2 *         | field 3 (day of month) at character 5: no month of the expression has day 30",
            "0 0 31 4,6,9,11 *  | no month of the expression has day 31",
            "60 * * * * *       | field 1 (second) at character 1: value 60 is out of range 0-59",
            "0 60 * * * *       | field 2 (minute) at character 3: value 60",
            "@reboot            | unknown macro '@reboot'",
            "0 0 * * MON-       | field 5 (day of week) at character 13: missing value",
    })
    void aBadExpressionNamesItselfTheFieldAndThePosition(String expression, String message) {
        assertThatThrownBy(() -> CronExpression.parse(expression, ZoneOffset.UTC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cron expression \"" + expression + "\"")
                .hasMessageContaining(message);
    }

    @Test
    void aScheduleWithABadExpressionFailsWhenItIsBuiltNamingTheSchedule() {
        assertThatThrownBy(() -> Schedule.cron("nightly-report", "0 3 * * MOON", ZoneId.of("Europe/Berlin"), JobRequest.of("report", "{}")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("schedule 'nightly-report': cron expression \"0 3 * * MOON\": field 5 (day of week) at character 9");
    }

    @Test
    void theSpecNamesExpressionAndZone() {
        assertThat(Schedule.cron("r", "0 3 * * *", BERLIN, JobRequest.of("k", "{}")).spec()).isEqualTo("cron 0 3 * * * Europe/Berlin");
        assertThat(Schedule.every("p", Duration.ofMinutes(5), JobRequest.of("k", "{}")).spec()).isEqualTo("every PT5M");
    }

    // ------------------------------------------------------------ intervals

    @Test
    void anIntervalFiresAtMultiplesOfItSinceTheEpoch() {
        Schedule s = Schedule.every("poll", Duration.ofMinutes(5), JobRequest.of("poll", "{}"));
        assertThat(s.nextAfter(Instant.parse("2026-01-01T10:02:30Z"))).isEqualTo("2026-01-01T10:05:00Z");
        assertThat(s.nextAfter(Instant.parse("2026-01-01T10:05:00Z"))).isEqualTo("2026-01-01T10:10:00Z");
        Schedule second = Schedule.every("tick", Duration.ofSeconds(1), JobRequest.of("t", "{}"));
        assertThat(second.nextAfter(Instant.parse("2026-01-01T10:00:00.000000500Z"))).isEqualTo("2026-01-01T10:00:01Z");
    }

    @Test
    void badIntervalsAndTemplatesAreRefusedNamingTheSchedule() {
        JobRequest t = JobRequest.of("k", "{}");
        assertThatThrownBy(() -> Schedule.every("fast", Duration.ofMillis(999), t))
                .hasMessage("interval of schedule 'fast' must be at least 1 s, but was PT0.999S");
        assertThatThrownBy(() -> Schedule.every("bad name!", Duration.ofMinutes(1), t))
                .hasMessageContaining("schedule name must be").hasMessageContaining("'bad name!'");
        assertThatThrownBy(() -> Schedule.every("u", Duration.ofMinutes(1), JobRequest.builder("k").uniqueKey("x").build()))
                .hasMessageContaining("template of schedule 'u' must not have a unique key");
        assertThatThrownBy(() -> Schedule.every("d", Duration.ofMinutes(1), JobRequest.builder("k").delay(Duration.ofSeconds(1)).build()))
                .hasMessageContaining("template of schedule 'd' must not have a delay");
    }
}
