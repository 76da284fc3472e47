package dev.opskit.core.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

    @Test
    void jdbcUrlsPassThroughUnchanged() {
        String url = "jdbc:postgresql://db:5432/app?user=u&password=p";
        assertThat(DatabaseUrl.toJdbc(url)).isEqualTo(url);
    }

    @Test
    void libpqFormBecomesJdbcWithDecodedCredentials() {
        assertThat(DatabaseUrl.toJdbc("postgres://alice:s%40cret@db.internal:6543/orders?sslmode=require"))
                .isEqualTo("jdbc:postgresql://db.internal:6543/orders?user=alice&password=s%40cret&sslmode=require");
        assertThat(DatabaseUrl.toJdbc("postgresql://bob@localhost/app"))
                .isEqualTo("jdbc:postgresql://localhost/app?user=bob");
    }

    @Test
    void badUrlsAreRejectedWithoutEchoingThePassword() {
        assertThatThrownBy(() -> DatabaseUrl.toJdbc("mysql://u:topsecret@h/db"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must start with")
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> DatabaseUrl.toJdbc("postgres://u:topsecret@host"))
                .hasMessageContaining("no database name")
                .hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> DatabaseUrl.toJdbc("postgres:///db"))
                .hasMessageContaining("no host");
        // an unencoded base64 password ('/' and '+' in it) makes the URL malformed; the message must still hide it
        assertThatThrownBy(() -> DatabaseUrl.toJdbc("postgres://u:top/secret+x@host/db"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("top").hasMessageNotContaining("secret");
    }

    @Test
    void redactHidesPasswordsHoldingSlashesOrAtSigns() {
        assertThat(DatabaseUrl.redact("postgres://u:pa/ss@h/db")).isEqualTo("postgres://u:***@h/db");
        assertThat(DatabaseUrl.redact("postgres://u:p@ss@h/db")).isEqualTo("postgres://u:***@h/db");
        assertThat(DatabaseUrl.redact("postgres://h:5432/db")).isEqualTo("postgres://h:5432/db");
    }

    @Test
    void redactHidesPasswordsInBothForms() {
        assertThat(DatabaseUrl.redact("postgres://u:pw@h:1/db")).isEqualTo("postgres://u:***@h:1/db");
        assertThat(DatabaseUrl.redact("jdbc:postgresql://h/db?user=u&password=pw&x=1"))
                .isEqualTo("jdbc:postgresql://h/db?user=u&password=***&x=1");
    }

    @Test
    void redactingAMessageHidesEveryFormOfThePasswordAndKeepsTheRest() {
        String url = "postgres://app:p%2Fw@db:5432/orders";
        String message = "connect to jdbc:postgresql://db:5432/orders?user=app&password=p%2Fw failed for p/w; see postgres://app:p%2Fw@db:5432/orders";
        assertThat(DatabaseUrl.redact(message, url))
                .isEqualTo("connect to jdbc:postgresql://db:5432/orders?user=app&password=*** failed for ***; see postgres://app:***@db:5432/orders");
    }
}
