package dev.opskit.migrationguard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.opskit.migrationguard.internal.Token.Type;
import java.util.List;
import org.junit.jupiter.api.Test;

class LexerTest {

    private static List<Token> code(String sql) {
        return Lexer.lex(sql).stream().filter(t -> t.type != Type.COMMENT).toList();
    }

    private static List<String> statements(String sql) {
        return Splitter.split(sql, Lexer.lex(sql)).stream().map(Statement::text).toList();
    }

    @Test
    void tokensCarryOneBasedLineAndColumn() {
        List<Token> t = code("SELECT 1;\n  ALTER\tTABLE \"Users\"");
        assertThat(t).extracting(Token::text).containsExactly("SELECT", "1", ";", "ALTER", "TABLE", "\"Users\"");
        assertThat(t.get(3).line()).isEqualTo(2);
        assertThat(t.get(3).column()).isEqualTo(3);
        assertThat(t.get(5).type()).isEqualTo(Type.QUOTED_IDENT);
        assertThat(t.get(5).name()).isEqualTo("Users");
    }

    @Test
    void lineCountingContinuesThroughMultiLineStringsCommentsAndDollarQuotes() {
        List<Token> t = code("SELECT 'a\nb', $$x\ny$$ /* c\n/* nested\n*/ d */ , E'\\n'\n  , x");
        Token x = t.get(t.size() - 1);
        assertThat(x.text()).isEqualTo("x");
        assertThat(x.line()).isEqualTo(6);
        assertThat(x.column()).isEqualTo(5);
    }

    @Test
    void nestedBlockCommentsAreOneComment() {
        List<Token> t = Lexer.lex("/* a /* b */ still comment */ SELECT");
        assertThat(t).extracting(Token::type).containsExactly(Type.COMMENT, Type.IDENT);
    }

    @Test
    void standardStringsDoubleQuotesAndKeepBackslashes() {
        Token s = code("'it''s \\ here'").get(0);
        assertThat(s.type()).isEqualTo(Type.STRING);
        assertThat(s.stringValue()).isEqualTo("it's \\ here");
    }

    @Test
    void escapeStringsUnderstandBackslashQuote() {
        List<Token> t = code("E'it\\'s; DROP TABLE x' ; SELECT");
        assertThat(t.get(0).type()).isEqualTo(Type.STRING);
        assertThat(t.get(0).stringValue()).isEqualTo("it's; DROP TABLE x");
        assertThat(t.get(1).type()).isEqualTo(Type.SEMICOLON);
    }

    @Test
    void unicodeStringsAndIdentifiers() {
        List<Token> t = code("U&'d\\0061t' U&\"d\\0061t\" UESCAPE '!'");
        assertThat(t).extracting(Token::type).containsExactly(Type.STRING, Type.QUOTED_IDENT, Type.IDENT, Type.STRING);
    }

    @Test
    void dollarQuotesWithTagsAndNotParameters() {
        List<Token> t = code("$fn$ body $$ inner $$ $fn$ $1 a$b $$x$$");
        assertThat(t).extracting(Token::type)
                .containsExactly(Type.DOLLAR_STRING, Type.PARAM, Type.IDENT, Type.DOLLAR_STRING);
        assertThat(t.get(0).stringValue()).isEqualTo(" body $$ inner $$ ");
        assertThat(t.get(2).text()).isEqualTo("a$b");
    }

    @Test
    void migrationToolPlaceholdersAreNames() {
        List<Token> t = code("ALTER TABLE ${schema}.users DROP COLUMN x; SELECT ${");
        assertThat(t.get(2).type()).isEqualTo(Type.IDENT);
        assertThat(t.get(2).text()).isEqualTo("${schema}");
        assertThat(t.get(t.size() - 1).type()).isEqualTo(Type.OTHER);
    }

    @Test
    void quotedIdentifiersEscapeDoubleQuotes() {
        Token q = code("\"a \"\"b\"\" c\"").get(0);
        assertThat(q.name()).isEqualTo("a \"b\" c");
    }

    @Test
    void numbersAndOperators() {
        List<Token> t = code("1.5e-3 0x1F 1_000 .5 a::int >= b --c\n");
        assertThat(t).extracting(Token::text).containsExactly("1.5e-3", "0x1F", "1_000", ".5", "a", "::", "int", ">=", "b");
    }

    @Test
    void operatorStopsBeforeAComment() {
        List<Token> t = Lexer.lex("a +-- comment\n b");
        assertThat(t).extracting(Token::type).containsExactly(Type.IDENT, Type.OPERATOR, Type.COMMENT, Type.IDENT);
    }

    @Test
    void unterminatedConstructsBecomeOneErrorTokenWithPosition() {
        for (String sql : List.of("SELECT 'abc", "SELECT /* abc", "SELECT $x$ abc", "SELECT \"abc", "SELECT E'ab\\'")) {
            List<Token> t = Lexer.lex(sql);
            Token last = t.get(t.size() - 1);
            assertThat(last.type()).as(sql).isEqualTo(Type.ERROR);
            assertThat(last.column()).as(sql).isEqualTo(8);
            assertThat(last.error).as(sql).startsWith("unterminated");
        }
    }

    @Test
    void splitsAtTopLevelSemicolonsOnly() {
        assertThat(statements("SELECT ';'; SELECT $$a;b$$; SELECT (1;2); ; -- x;\nSELECT \"a;b\""))
                .containsExactly("SELECT ';'", "SELECT $$a;b$$", "SELECT (1;2)", "SELECT \"a;b\"");
    }

    @Test
    void sqlStandardFunctionBodiesStayOneStatement() {
        String sql = """
                CREATE OR REPLACE FUNCTION f(a int) RETURNS int LANGUAGE sql
                BEGIN ATOMIC
                  SELECT a;
                  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;
                END;
                DROP TABLE t;
                """;
        List<String> st = statements(sql);
        assertThat(st).hasSize(2);
        assertThat(st.get(0)).startsWith("CREATE OR REPLACE FUNCTION").endsWith("END");
        assertThat(st.get(1)).isEqualTo("DROP TABLE t");
    }

    @Test
    void transactionBeginIsNotAnAtomicBody() {
        assertThat(statements("BEGIN; DROP TABLE t; COMMIT;")).containsExactly("BEGIN", "DROP TABLE t", "COMMIT");
    }

    @Test
    void fingerprintIgnoresWhitespaceCommentsAndKeywordCase() {
        String a = Splitter.split("x", Lexer.lex("ALTER TABLE users DROP COLUMN legacy")).get(0).fingerprint();
        String b = Splitter.split("x", Lexer.lex("alter  table /* c */ USERS\n drop column Legacy")).get(0).fingerprint();
        String c = Splitter.split("x", Lexer.lex("ALTER TABLE users DROP COLUMN legacy2")).get(0).fingerprint();
        String d = Splitter.split("x", Lexer.lex("ALTER TABLE \"Users\" DROP COLUMN legacy")).get(0).fingerprint();
        assertThat(a).isEqualTo(b).matches("[0-9a-f]{16}");
        assertThat(c).isNotEqualTo(a);
        assertThat(d).isNotEqualTo(a);
    }
}
