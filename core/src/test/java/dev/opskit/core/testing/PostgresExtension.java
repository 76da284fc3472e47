package dev.opskit.core.testing;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives a test class its own database on the shared {@link TestPostgres}.
 *
 * <pre>{@code
 * @ExtendWith(PostgresExtension.class)
 * class MyStoreTest {
 *     MyStoreTest(TestDatabase db) { this.store = new MyStore(db.dataSource()); }
 * }
 * }</pre>
 *
 * <p>Parameters of type {@link TestDatabase} or {@link DataSource} (in constructors, lifecycle and
 * test methods) receive the class's database. The database is created before the first test of the
 * class and dropped after the last one.
 */
public final class PostgresExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PostgresExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        database(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestDatabase db = context.getStore(NS).remove(key(context), TestDatabase.class);
        if (db != null && TestPostgres.shared().isRunning()) {
            db.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == TestDatabase.class || type == DataSource.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        TestDatabase db = database(extensionContext);
        return parameterContext.getParameter().getType() == DataSource.class ? db.dataSource() : db;
    }

    private static TestDatabase database(ExtensionContext context) {
        return context.getStore(NS).getOrComputeIfAbsent(key(context),
                k -> TestPostgres.shared().createDatabase(context.getRequiredTestClass().getSimpleName()),
                TestDatabase.class);
    }

    private static String key(ExtensionContext context) {
        return "db:" + context.getRequiredTestClass().getName();
    }
}
