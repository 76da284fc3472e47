package dev.opskit.bench.breaker;

/**
 * Runs {@link BreakerBench} with JMH. The bench module's exec configuration passes
 * {@code -Dbench.args} as one argument, so it is split on blanks here:
 * {@code mvn -q -pl bench exec:exec -Dbench.main=dev.opskit.bench.breaker.BreakerBenchMain -Dbench.args="-prof gc"}.
 */
public final class BreakerBenchMain {
    private BreakerBenchMain() {
    }

    public static void main(String[] args) throws Exception {
        String joined = String.join(" ", args).trim();
        String[] extra = joined.isEmpty() ? new String[0] : joined.split("\\s+");
        String[] all = new String[extra.length + 1];
        all[0] = BreakerBench.class.getName();
        System.arraycopy(extra, 0, all, 1, extra.length);
        org.openjdk.jmh.Main.main(all);
    }
}
