package dev.opskit.jobqueue.internal;

import java.lang.reflect.Field;
import java.sql.Connection;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * Takes 1 ms off every notification the LISTEN connection receives.
 *
 * <p>pgjdbc's {@code getNotifications(timeout)}, after it has read a notification, asks its stream
 * whether more messages are pending; with no bytes buffered that check reads the socket with a
 * 1 ms timeout, and when the read times out it does not record the check, so it waits that
 * millisecond after every notification (pgjdbc 42.7.7 to 42.7.14; seen with strace: a 1 ms
 * {@code poll} after each NotificationResponse). The millisecond is most of the enqueue-to-start
 * latency left over when PostgreSQL itself delivers a NOTIFY in about 0.2 ms.
 *
 * <p>The check is skipped while the stream's next-check time lies in the future, so this sets it
 * to the far future on the LISTEN connection only, and puts the old value back before the
 * connection goes back to its pool. A plain TCP socket reports buffered bytes through
 * {@code available()}, which pgjdbc still asks first; only on an SSL socket can a second
 * notification that arrived with the first then wait for the next {@code getNotifications} call,
 * which reads it at once. pgjdbc internals are reached by name: when they are not found (another
 * driver version), nothing is changed and the listener works as before, 1 ms slower.
 */
public final class NotifyPeek {
    private NotifyPeek() {
    }

    /**
     * Turns the peek off on {@code connection}'s stream.
     *
     * @return the previous next-check time to give to {@link #restore}, or null when pgjdbc's
     *         internals were not found and nothing was changed
     */
    public static @Nullable Long disable(Connection connection) {
        try {
            Object stream = stream(connection);
            Field next = nextCheckTime(stream);
            long previous = next.getLong(stream);
            next.setLong(stream, Long.MAX_VALUE);
            return previous;
        } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
            return null;
        }
    }

    /** Puts back what {@link #disable} returned; does nothing for null. */
    public static void restore(Connection connection, @Nullable Long previous) {
        if (previous == null) {
            return;
        }
        try {
            Object stream = stream(connection);
            nextCheckTime(stream).setLong(stream, previous);
        } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
            // the connection is going away anyway
        }
    }

    /** The stream's next-check time, or null when pgjdbc's internals were not found (for tests). */
    public static @Nullable Long nextCheckTimeOf(Connection connection) {
        try {
            Object stream = stream(connection);
            return nextCheckTime(stream).getLong(stream);
        } catch (ReflectiveOperationException | SQLException | RuntimeException e) {
            return null;
        }
    }

    private static Object stream(Connection connection) throws ReflectiveOperationException, SQLException {
        Class<?> baseConnection = Class.forName("org.postgresql.core.BaseConnection");
        Object pg = connection.unwrap(baseConnection);
        Object executor = baseConnection.getMethod("getQueryExecutor").invoke(pg);
        Field field = Class.forName("org.postgresql.core.QueryExecutorBase").getDeclaredField("pgStream");
        field.setAccessible(true);
        return field.get(executor);
    }

    private static Field nextCheckTime(Object stream) throws ReflectiveOperationException {
        Field field = stream.getClass().getDeclaredField("nextStreamAvailableCheckTime");
        field.setAccessible(true);
        return field;
    }
}
