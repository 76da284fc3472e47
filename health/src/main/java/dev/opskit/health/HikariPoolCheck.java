package dev.opskit.health;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.opskit.core.health.HealthCheck;
import dev.opskit.core.health.HealthResult;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The state of a HikariCP pool: {@code active}, {@code idle}, {@code total}, {@code waiting}
 * (threads waiting for a connection) and {@code max}. UP normally; DEGRADED when threads wait for a
 * connection (the pool is saturated) or before the pool has started; DOWN once the pool is closed.
 * It does not touch the database (pair it with {@link HealthChecks#dataSource}).
 *
 * <p>HikariCP is an optional dependency of {@code opskit-health}: this class is the only one that
 * refers to it, so it is loaded only when used, and the application must have HikariCP itself.
 */
public final class HikariPoolCheck implements HealthCheck {
    private final HikariDataSource dataSource;

    private HikariPoolCheck(HikariDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A check of {@code dataSource}'s pool. */
    public static HikariPoolCheck of(HikariDataSource dataSource) {
        return new HikariPoolCheck(Objects.requireNonNull(dataSource, "dataSource must not be null"));
    }

    @Override
    public HealthResult check() {
        if (dataSource.isClosed()) {
            return HealthResult.down("pool " + dataSource.getPoolName() + " is closed");
        }
        HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
        if (pool == null) {
            return HealthResult.degraded(Map.of("pool", String.valueOf(dataSource.getPoolName()), "state", "not started"));
        }
        int waiting = pool.getThreadsAwaitingConnection();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("pool", String.valueOf(dataSource.getPoolName()));
        details.put("active", pool.getActiveConnections());
        details.put("idle", pool.getIdleConnections());
        details.put("total", pool.getTotalConnections());
        details.put("waiting", waiting);
        details.put("max", dataSource.getMaximumPoolSize());
        if (waiting > 0) {
            details.put("reason", waiting + " threads waiting for a connection");
            return HealthResult.degraded(details);
        }
        return HealthResult.up(details);
    }
}
