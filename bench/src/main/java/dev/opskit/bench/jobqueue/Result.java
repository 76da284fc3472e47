package dev.opskit.bench.jobqueue;

import java.util.Locale;

/** One measurement of one system. */
record Result(String system, String measurement, double value, String unit, String setup) {

    String json(String load) {
        return String.format(Locale.ROOT,
                "{\"system\":\"%s\",\"measurement\":\"%s\",\"value\":%.2f,\"unit\":\"%s\",\"setup\":\"%s\",\"load\":\"%s\"}",
                system, measurement, value, unit, setup.replace("\"", "'"), load);
    }
}
