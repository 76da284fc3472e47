package dev.opskit.core.jdbc;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

class QuietlyTest {

    @Test
    void aFailingRollbackOrCloseIsIgnoredAndNullIsAllowed() {
        List<String> calls = new ArrayList<>();
        Connection broken = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    calls.add(method.getName());
                    throw new SQLException("connection is broken (test)", "08006");
                });
        assertThatCode(() -> {
            Quietly.rollback(broken);
            Quietly.close(broken);
            Quietly.rollback(null);
            Quietly.close(null);
        }).doesNotThrowAnyException();
        assertThat(calls).containsExactly("rollback", "close");
    }
}
